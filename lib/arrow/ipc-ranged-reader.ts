/**
 * Random access to an Arrow IPC *file* through ranged reads only (ObjectStore.getRange), so a
 * trainer that resumes at step k fetches the footer and then batch k's bytes, never the batches
 * before it. apache-arrow decodes everything: its `Footer` reads the footer (schema + blocks), and
 * each batch is decoded by its stream reader from [schema message + the batch's own block bytes].
 */
import { Message, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { CorruptArtifactError } from '../core/errors.js';
import type { ObjectStore } from '../io/object-store.js';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
/** "ARROW1" + 2 bytes of padding open the file; record batch blocks start at or after it. */
const HEAD_BYTES = 8;
/** Footer length (int32) + "ARROW1" close the file. */
const TRAILER_BYTES = 4 + MAGIC.length;
/** End-of-stream marker (continuation + zero length) that ends the streams we decode. */
const END_OF_STREAM = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/** Bytes read from the end at open: one request holds the trailer and, usually, the whole footer. */
export const DEFAULT_TAIL_READ_BYTES = 64 * 1024;
/** Most bytes one ranged read fetches when consecutive batches are read together. */
export const DEFAULT_MAX_BYTES_PER_READ = 8 * 1024 * 1024;

/** Where a record batch's message (metadata + body) lies in the file. */
export interface ArrowBlock {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

/** Options of openRangedArrowFile. */
export interface OpenRangedArrowFileOptions {
  /** The object's size when already known (a manifest lists it): saves a HEAD request. */
  readonly bytes?: number;
  /** Bytes read from the end at open (default DEFAULT_TAIL_READ_BYTES). */
  readonly tailReadBytes?: number;
}

/** An Arrow IPC file opened by its footer; record batches are fetched on demand, each by ranged read. */
export interface RangedArrowFile {
  /** `<store location>/<key>`, for messages. */
  readonly label: string;
  readonly bytes: number;
  readonly schema: Schema;
  readonly numRecordBatches: number;
  readonly blocks: readonly ArrowBlock[];
  /** Record batch `index` (0-based), by one ranged read of its block. */
  readRecordBatch(index: number): Promise<RecordBatch>;
  /**
   * Batches [from, to) in order; consecutive blocks are fetched together in ranged reads of at most
   * `maxBytesPerRead` (a single larger batch is still read whole), so a sequential pass costs few
   * requests while nothing before `from` is read.
   */
  readRecordBatches(from?: number, to?: number, maxBytesPerRead?: number): AsyncGenerator<RecordBatch>;
}

/** Open an Arrow IPC file in a store by its trailer and footer (one or two ranged reads, plus a size). */
export async function openRangedArrowFile(store: ObjectStore, key: string, options: OpenRangedArrowFileOptions = {}): Promise<RangedArrowFile> {
  const label = `${store.location}/${key}`;
  const bytes = options.bytes ?? (await store.size(key));
  const footer = await readFooter(store, key, bytes, options.tailReadBytes ?? DEFAULT_TAIL_READ_BYTES, label);
  const blocks = [...footer.decoded.recordBatches()].map(toBlock);
  blocks.forEach((block, index) => checkBlock(block, footer.start, label, `record batch ${index}`));
  const head = await readStreamHead(store, key, footer.decoded, blocks, footer.start, label);
  return new StoreRangedArrowFile(store, key, label, bytes, footer.decoded.schema, blocks, head);
}

interface ReadFooter {
  readonly decoded: Footer;
  /** Offset of the footer's first byte. */
  readonly start: number;
}

/** The trailer (footer length + magic) and the footer, from a tail read and, if the footer is longer, one more. */
async function readFooter(store: ObjectStore, key: string, bytes: number, tailReadBytes: number, label: string): Promise<ReadFooter> {
  if (bytes < HEAD_BYTES + TRAILER_BYTES) throw new CorruptArtifactError(label, `is ${bytes} bytes: too short for an Arrow IPC file`);
  const tailStart = Math.max(0, bytes - Math.max(tailReadBytes, TRAILER_BYTES));
  const tail = await readExactly(store, key, tailStart, bytes, label);
  const trailer = tail.length - TRAILER_BYTES;
  if (MAGIC.some((byte, i) => tail[trailer + 4 + i] !== byte)) {
    throw new CorruptArtifactError(label, 'does not end with the ARROW1 magic (truncated, or not an Arrow IPC file?)');
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset + trailer, 4).getInt32(0, true);
  const start = bytes - TRAILER_BYTES - footerLength;
  if (footerLength <= 0 || start < HEAD_BYTES) {
    throw new CorruptArtifactError(label, `footer length ${footerLength} does not fit in a file of ${bytes} bytes`);
  }
  const footerBytes = start >= tailStart ? tail.subarray(start - tailStart, trailer) : await readExactly(store, key, start, start + footerLength, label);
  try {
    return { decoded: Footer.decode(footerBytes), start };
  } catch (error) {
    throw new CorruptArtifactError(label, `footer is not a readable Arrow footer: ${(error as Error).message}`);
  }
}

function toBlock(block: { offset: number; metaDataLength: number; bodyLength: number }): ArrowBlock {
  return { offset: Number(block.offset), metaDataLength: block.metaDataLength, bodyLength: Number(block.bodyLength) };
}

/** A block must lie between the leading magic and the footer, 8-byte aligned as the format requires. */
function checkBlock(block: ArrowBlock, footerStart: number, label: string, what: string): void {
  const { offset, metaDataLength, bodyLength } = block;
  const valid =
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(bodyLength) &&
    offset >= HEAD_BYTES &&
    metaDataLength >= 8 &&
    bodyLength >= 0 &&
    offset % 8 === 0 &&
    offset + metaDataLength + bodyLength <= footerStart;
  if (!valid) {
    throw new CorruptArtifactError(
      label,
      `${what}: block (offset ${offset}, metadata ${metaDataLength}, body ${bodyLength}) lies outside [${HEAD_BYTES}, ${footerStart})`,
    );
  }
}

/**
 * What precedes any record batch in the streams we decode: the schema message (encoded from the
 * footer's schema, since the file format does not require one at the start and apache-arrow's
 * writer omits it) and every dictionary batch, read verbatim. Dictionaries written after a record
 * batch (deltas) would make batch k depend on the batches before it, so they are refused.
 */
async function readStreamHead(
  store: ObjectStore,
  key: string,
  footer: Footer,
  blocks: readonly ArrowBlock[],
  footerStart: number,
  label: string,
): Promise<Uint8Array> {
  const parts = [encodeSchemaMessage(footer.schema)];
  const firstBatchOffset = blocks.length === 0 ? footerStart : Math.min(...blocks.map((block) => block.offset));
  let index = 0;
  for (const raw of footer.dictionaryBatches()) {
    const block = toBlock(raw);
    checkBlock(block, footerStart, label, `dictionary batch ${index}`);
    if (block.offset > firstBatchOffset) {
      throw new CorruptArtifactError(
        label,
        `dictionary batch ${index} follows a record batch (a delta dictionary): record batches cannot be read independently`,
      );
    }
    parts.push(await readExactly(store, key, block.offset, blockEnd(block), label));
    index += 1;
  }
  return concatBytes(parts);
}

/** The schema as an IPC stream message: continuation, padded length, flatbuffer, padding to 8 bytes. */
function encodeSchemaMessage(schema: Schema): Uint8Array {
  const flatbuffer = Message.encode(Message.from(schema));
  const alignedLength = (flatbuffer.length + 7) & ~7;
  const message = new Uint8Array(8 + alignedLength);
  const view = new DataView(message.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, alignedLength, true);
  message.set(flatbuffer, 8);
  return message;
}

const blockEnd = (block: ArrowBlock): number => block.offset + block.metaDataLength + block.bodyLength;

/** A ranged read that must return every byte asked for (a shorter answer means the object changed or was cut). */
async function readExactly(store: ObjectStore, key: string, start: number, endExclusive: number, label: string): Promise<Uint8Array> {
  const bytes = await store.getRange(key, start, endExclusive);
  if (bytes.length !== endExclusive - start) {
    throw new CorruptArtifactError(label, `bytes [${start}, ${endExclusive}) came back as ${bytes.length} bytes: the file is shorter than its footer says`);
  }
  return bytes;
}

/** One fresh buffer: every part is a multiple of 8 bytes, so each column buffer stays aligned for typed-array views. */
function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

class StoreRangedArrowFile implements RangedArrowFile {
  readonly numRecordBatches: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
    readonly label: string,
    readonly bytes: number,
    readonly schema: Schema,
    readonly blocks: readonly ArrowBlock[],
    /** Schema message + dictionary batches, prepended to every batch we decode. */
    private readonly streamHead: Uint8Array,
  ) {
    this.numRecordBatches = blocks.length;
  }

  async readRecordBatch(index: number): Promise<RecordBatch> {
    this.checkIndex(index, 'index');
    const block = this.blocks[index]!;
    const bytes = await readExactly(this.store, this.key, block.offset, blockEnd(block), this.label);
    return this.decode(bytes, index, 1)[0]!;
  }

  async *readRecordBatches(from = 0, to = this.numRecordBatches, maxBytesPerRead = DEFAULT_MAX_BYTES_PER_READ): AsyncGenerator<RecordBatch> {
    this.checkIndex(from, 'from', true);
    this.checkIndex(to, 'to', true);
    let next = from;
    while (next < to) {
      const count = this.contiguousRun(next, to, maxBytesPerRead);
      const first = this.blocks[next]!;
      const bytes = await readExactly(this.store, this.key, first.offset, blockEnd(this.blocks[next + count - 1]!), this.label);
      yield* this.decode(bytes, next, count);
      next += count;
    }
  }

  /** How many blocks from `from` follow each other byte for byte within the read budget (at least one). */
  private contiguousRun(from: number, to: number, maxBytesPerRead: number): number {
    const start = this.blocks[from]!.offset;
    let count = 1;
    while (from + count < to) {
      const block = this.blocks[from + count]!;
      if (block.offset !== blockEnd(this.blocks[from + count - 1]!) || blockEnd(block) - start > maxBytesPerRead) break;
      count += 1;
    }
    return count;
  }

  /** Decode `count` consecutive record-batch messages with apache-arrow's stream reader. */
  private decode(blockBytes: Uint8Array, firstIndex: number, count: number): RecordBatch[] {
    const what = count === 1 ? `record batch ${firstIndex}` : `record batches ${firstIndex}–${firstIndex + count - 1}`;
    let batches: RecordBatch[];
    try {
      batches = [...RecordBatchReader.from(concatBytes([this.streamHead, blockBytes, END_OF_STREAM]))];
    } catch (error) {
      throw new CorruptArtifactError(this.label, `${what}: not readable: ${(error as Error).message}`);
    }
    if (batches.length !== count)
      throw new CorruptArtifactError(this.label, `${what}: the footer's blocks hold ${batches.length} record batches, expected ${count}`);
    return batches;
  }

  private checkIndex(index: number, name: string, endAllowed = false): void {
    const limit = endAllowed ? this.numRecordBatches : this.numRecordBatches - 1;
    if (!Number.isInteger(index) || index < 0 || index > limit) {
      throw new RangeError(`${this.label}: ${name} ${index} is not a record batch index in [0, ${this.numRecordBatches}${endAllowed ? ']' : ')'}`);
    }
  }
}
