/**
 * Reading every record batch of an Arrow IPC file of flat columns straight from the bytes: the
 * footer's batch index, each batch's header (a few flatbuffer fields) and body buffers copied into
 * one growing typed array per column. Used where whole files are scanned (the audit reads ~10⁶
 * batches per epoch); any Arrow writer's files decode, not only ours.
 */
import { CorruptArtifactError } from '../core/errors.js';
import { FlatBufferReader } from './flatbuffer-fields.js';
import { IPC_SHAPE, type IpcColumn } from './ipc-batch-writer.js';

/** Every batch's columns concatenated, and where each batch's rows start. */
export interface ScannedIpcFile {
  readonly batchStarts: Int32Array;
  readonly columns: IpcColumn[];
}

/** A typed array that doubles when full; bytes are copied without alignment assumptions. */
class Grow<A extends Int32Array | Uint8Array> {
  length = 0;
  private bytes: Uint8Array;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {
    this.bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = this.make(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
    this.bytes = new Uint8Array(next.buffer, next.byteOffset, next.byteLength);
  }

  appendBytes(source: Uint8Array, from: number, count: number): void {
    this.reserve(count);
    const byteCount = count * this.data.BYTES_PER_ELEMENT;
    const to = this.length * this.data.BYTES_PER_ELEMENT;
    // Micro-batches are tiny: a loop beats allocating a view for set().
    if (byteCount <= 64) for (let i = 0; i < byteCount; i++) this.bytes[to + i] = source[from + i]!;
    else this.bytes.set(source.subarray(from, from + byteCount), to);
    this.length += count;
  }

  done(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

const int32s = (n: number) => new Grow(new Int32Array(n), (m) => new Int32Array(m));
const bytes = (n: number) => new Grow(new Uint8Array(n), (m) => new Uint8Array(m));

/** Accumulates one column across batches (offsets rebased onto what came before). */
interface ColumnSink {
  readonly kind: IpcColumn['kind'];
  readonly values: Grow<Int32Array> | Grow<Uint8Array>;
  readonly offsets?: Grow<Int32Array>;
  readonly items?: { offsets: Grow<Int32Array>; bytes: Grow<Uint8Array> };
}

function makeSink(kind: IpcColumn['kind']): ColumnSink {
  const offsets = () => {
    const grow = int32s(1024);
    grow.length = 1; // offsets start with a 0
    return grow;
  };
  if (kind === 'int32' || kind === 'list-int32') return { kind, values: int32s(1024), ...(kind === 'list-int32' ? { offsets: offsets() } : {}) };
  if (kind === 'utf8') return { kind, values: bytes(1024), offsets: offsets() };
  if (kind === 'list-utf8') return { kind, values: bytes(0), offsets: offsets(), items: { offsets: offsets(), bytes: bytes(1024) } };
  return { kind, values: bytes(1024) };
}

/** Decode every batch of an IPC file whose columns have the given kinds, in schema order. */
export function scanBatchedIpcFile(file: Uint8Array, kinds: readonly IpcColumn['kind'][], where: string): ScannedIpcFile {
  const fb = new FlatBufferReader(new DataView(file.buffer, file.byteOffset, file.byteLength), where);
  const footerBytes = fb.i32(file.length - 10);
  const footer = fb.deref(file.length - 10 - footerBytes);
  const blocks = fb.vector(fb.field(footer, 3), 24);
  const sinks = kinds.map(makeSink);
  const batchStarts = new Int32Array(blocks.count + 1);
  const expected = kinds.reduce((s, k) => ({ nodes: s.nodes + IPC_SHAPE[k].nodes, buffers: s.buffers + IPC_SHAPE[k].buffers }), { nodes: 0, buffers: 0 });
  const cursor = new BatchCursor(fb, where);
  for (let k = 0; k < blocks.count; k++) {
    const block = blocks.start + 24 * k;
    cursor.start(k, readBatchHeader(fb, fb.u53(block), fb.i32(block + 8), fb.u53(block + 16), expected, cursor, k));
    for (const sink of sinks) readColumn(file, cursor, sink);
    batchStarts[k + 1] = batchStarts[k]! + cursor.rows;
  }
  return { batchStarts, columns: sinks.map(finishSink) };
}

/** Walks one batch's field nodes and buffers in order (one object reused for every batch). */
class BatchCursor {
  rows = 0;
  private batch = 0;
  private header = { rows: 0, nodes: 0, buffers: 0, body: 0, bodyBytes: 0 };
  private node = 0;
  private buffer = 0;
  constructor(
    readonly fb: FlatBufferReader,
    private readonly where: string,
  ) {}

  start(batch: number, header: BatchCursor['header']): void {
    [this.batch, this.header, this.rows, this.node, this.buffer] = [batch, header, header.rows, 0, 0];
  }

  fail(why: string, batch = this.batch): never {
    throw new CorruptArtifactError(`${this.where} record batch ${batch}`, why);
  }

  /** The next field node's length (it must have no nulls). */
  nextNode(): number {
    const at = this.header.nodes + 16 * this.node++;
    if (this.fb.u53(at + 8) !== 0) this.fail('has nulls; the format has none');
    return this.fb.u53(at);
  }

  /** File position of the next buffer, which must hold at least `bytes` bytes inside the body. */
  nextBuffer(bytes: number): number {
    const at = this.header.buffers + 16 * this.buffer++;
    const offset = this.fb.u53(at);
    const length = this.fb.u53(at + 8);
    if (offset + length > this.header.bodyBytes) this.fail('has a buffer past its body');
    if (length < bytes) this.fail(`has a ${length}-byte buffer where ${bytes} bytes are needed`);
    return this.header.body + offset;
  }
}

/** A record batch message's header: its row count, and where its nodes, buffers and body are. */
function readBatchHeader(
  fb: FlatBufferReader,
  offset: number,
  metadataBytes: number,
  bodyBytes: number,
  expected: { nodes: number; buffers: number },
  cursor: BatchCursor,
  k: number,
) {
  const fail = (why: string) => cursor.fail(why, k);
  // Since Arrow 0.15 a message starts with 0xFFFFFFFF then its length; before, with the length.
  const flatbuffer = fb.i32(offset) === -1 ? offset + 8 : offset + 4;
  const message = fb.deref(flatbuffer);
  const headerType = fb.field(message, 1);
  if (headerType === 0 || fb.u8(headerType) !== 3) fail('is not a RecordBatch message (dictionary batches are not part of this format)');
  const batch = fb.deref(fb.field(message, 2));
  if (fb.field(batch, 3) !== 0) fail('is compressed; this format is uncompressed');
  const lengthField = fb.field(batch, 0);
  const nodes = fb.vector(fb.field(batch, 1), 16);
  const buffers = fb.vector(fb.field(batch, 2), 16);
  if (nodes.count !== expected.nodes || buffers.count !== expected.buffers) {
    fail(`has ${nodes.count} field nodes and ${buffers.count} buffers; the schema needs ${expected.nodes} and ${expected.buffers}`);
  }
  const body = offset + metadataBytes;
  if (body + bodyBytes > fb.view.byteLength) fail(`has a body past the end of the file (truncated?)`);
  return { rows: lengthField === 0 ? 0 : fb.u53(lengthField), nodes: nodes.start, buffers: buffers.start, body, bodyBytes };
}

function readColumn(file: Uint8Array, cursor: BatchCursor, sink: ColumnSink): void {
  const rows = cursor.rows;
  if (cursor.nextNode() !== rows) cursor.fail('has a column whose length differs from the batch length');
  cursor.nextBuffer(0); // validity: ignored, there are no nulls
  if (sink.kind === 'int32') sink.values.appendBytes(file, cursor.nextBuffer(4 * rows), rows);
  else if (sink.kind === 'uint8') sink.values.appendBytes(file, cursor.nextBuffer(rows), rows);
  else if (sink.kind === 'bool') unpackBits(file, cursor.nextBuffer((rows + 7) >> 3), rows, sink.values as Grow<Uint8Array>);
  else if (sink.kind === 'utf8') {
    const span = appendOffsets(cursor, cursor.nextBuffer(4 * (rows + 1)), rows, sink.offsets!);
    sink.values.appendBytes(file, cursor.nextBuffer(span.last) + span.first, span.last - span.first);
  } else {
    const span = appendOffsets(cursor, cursor.nextBuffer(4 * (rows + 1)), rows, sink.offsets!);
    const childRows = cursor.nextNode();
    if (span.last > childRows) cursor.fail(`has list offsets up to ${span.last} over ${childRows} values`);
    cursor.nextBuffer(0);
    if (sink.kind === 'list-int32') sink.values.appendBytes(file, cursor.nextBuffer(4 * span.last) + 4 * span.first, span.last - span.first);
    else {
      const itemOffsets = cursor.nextBuffer(4 * (childRows + 1));
      const items = appendOffsets(cursor, itemOffsets + 4 * span.first, span.last - span.first, sink.items!.offsets);
      sink.items!.bytes.appendBytes(file, cursor.nextBuffer(items.last) + items.first, items.last - items.first);
    }
  }
}

/** Append rows' offsets rebased onto the sink's last offset; returns the batch's first and last offset. */
function appendOffsets(cursor: BatchCursor, at: number, rows: number, sink: Grow<Int32Array>): { first: number; last: number } {
  sink.reserve(rows);
  cursor.fb.i32(at + 4 * rows); // bounds: the last offset is inside the file
  const view = cursor.fb.view;
  const first = view.getInt32(at, true);
  const base = sink.data[sink.length - 1]! - first;
  let previous = first;
  for (let i = 1; i <= rows; i++) {
    const offset = view.getInt32(at + 4 * i, true);
    if (offset < previous) cursor.fail('has decreasing offsets');
    sink.data[sink.length++] = offset + base;
    previous = offset;
  }
  if (first < 0) cursor.fail('has negative offsets');
  return { first, last: previous };
}

function unpackBits(file: Uint8Array, at: number, rows: number, sink: Grow<Uint8Array>): void {
  sink.reserve(rows);
  for (let i = 0; i < rows; i++) sink.data[sink.length++] = (file[at + (i >> 3)]! >> (i & 7)) & 1;
}

function finishSink(sink: ColumnSink): IpcColumn {
  const offsets = sink.offsets?.done();
  switch (sink.kind) {
    case 'int32':
      return { kind: 'int32', values: (sink.values as Grow<Int32Array>).done() };
    case 'uint8':
      return { kind: 'uint8', values: (sink.values as Grow<Uint8Array>).done() };
    case 'bool':
      return { kind: 'bool', flags: (sink.values as Grow<Uint8Array>).done() };
    case 'utf8':
      return { kind: 'utf8', column: { offsets: offsets!, bytes: (sink.values as Grow<Uint8Array>).done() } };
    case 'list-int32':
      return { kind: 'list-int32', offsets: offsets!, values: (sink.values as Grow<Int32Array>).done() };
    case 'list-utf8':
      return { kind: 'list-utf8', offsets: offsets!, items: { offsets: sink.items!.offsets.done(), bytes: sink.items!.bytes.done() } };
  }
}
