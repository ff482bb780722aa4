/**
 * Reading shard files: the whole file as flat typed arrays (the audit), one record batch at a
 * time as a typed micro-batch (trainers, pull), or only the footer (manifests). Everything
 * unexpected — magic, metadata, column types, nulls, a batch count that contradicts the metadata —
 * is a CorruptArtifactError naming the file.
 */
import { RecordBatchReader, Table, type RecordBatchFileReader, type Data, type RecordBatch, type Schema } from 'apache-arrow';
import { CorruptArtifactError } from '../core/errors.js';
import type { Utf8Column } from '../core/index/length-index.js';
import { columnChunks, concatChunks, parseArrowMetadata, unpackBoolChunks } from './ipc-read.js';
import { readInt32List, readUtf8, readUtf8List } from './list-columns.js';
import { scanBatchedIpcFile } from './ipc-batch-reader.js';
import type { IpcColumn } from './ipc-batch-writer.js';
import { SHARD_KIND, shardFields, shardFieldType, shardMetadataSchema, type ShardMetadata, type ShardRows, type ShardTokenColumns } from './shard-schema.js';

/** A whole shard file as flat typed arrays (ShardRows) plus where each step's rows start. */
export interface ShardColumns extends ShardRows {
  readonly metadata: ShardMetadata;
  /** steps + 1 row offsets: record batch k (step firstStep + k) holds rows [stepStarts[k], stepStarts[k+1]). */
  readonly stepStarts: Int32Array;
}

/** One record batch of a shard: a rank's micro-batch of one step, as typed arrays. */
export interface ShardMicroBatch {
  readonly step: number;
  readonly sampleIds: Int32Array;
  readonly recordIds: Utf8Column;
  readonly lengths: Int32Array;
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
  readonly isPadding: Uint8Array;
  /** Packed shards only: each row's pack within the step (rows of one pack are consecutive). */
  readonly pack?: Int32Array;
  /** Tokens variant only: row p's ids are values[offsets[p] .. offsets[p+1]). */
  readonly inputIds?: { readonly offsets: Int32Array; readonly values: Int32Array };
  readonly labels?: { readonly offsets: Int32Array; readonly values: Int32Array };
  /** Packed tokens shards only: parallel to input_ids, restarting at 0 per sample. */
  readonly positionIds?: { readonly offsets: Int32Array; readonly values: Int32Array };
  readonly images?: { readonly offsets: Int32Array; readonly values: Utf8Column };
  readonly imageTokens?: { readonly offsets: Int32Array; readonly values: Int32Array };
}

/** What the footer says: metadata and the number of record batches (= steps), no batch decoded. */
export interface ShardFileInfo {
  readonly metadata: ShardMetadata;
  readonly recordBatches: number;
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Open a shard's footer and check its metadata and schema; batches are read lazily afterwards. */
function openShardReader(bytes: Uint8Array, where: string): { reader: RecordBatchFileReader; metadata: ShardMetadata } {
  const tail = bytes.length - MAGIC.length;
  if (bytes.length < 2 * MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b || bytes[tail + i] !== b)) {
    throw new CorruptArtifactError(where, 'is not an Arrow IPC file (no ARROW1 magic at both ends; truncated?)');
  }
  let reader: RecordBatchReader;
  try {
    reader = RecordBatchReader.from(bytes).open();
  } catch (error) {
    throw new CorruptArtifactError(where, `is not a readable Arrow IPC file: ${(error as Error).message}`);
  }
  // Bytes in memory always give the synchronous reader; the guard narrows the type.
  if (!reader.isFile() || !reader.isSync()) throw new CorruptArtifactError(where, 'is not an Arrow IPC file (the footer is missing)');
  return { reader: reader as RecordBatchFileReader, metadata: checkShardSchema(reader.schema, reader.numRecordBatches, where) };
}

/** Metadata through zod, then the columns the kind promises and a batch per declared step. */
function checkShardSchema(schema: Schema, recordBatches: number, where: string): ShardMetadata {
  const metadata = parseArrowMetadata(schema.metadata, shardMetadataSchema, where);
  const expected = shardFields(metadata.kind === SHARD_KIND, metadata.packing !== null);
  const names = schema.fields.map((f) => f.name).join(', ');
  if (names !== expected.map((f) => f.name).join(', ')) {
    throw new CorruptArtifactError(where, `has columns [${names}]; a "${metadata.kind}" file has [${expected.map((f) => f.name).join(', ')}]`);
  }
  for (const [i, field] of schema.fields.entries()) {
    if (String(field.type) !== String(expected[i]!.type) || field.nullable) {
      throw new CorruptArtifactError(
        where,
        `column "${field.name}" is ${String(field.type)}${field.nullable ? ' (nullable)' : ''}; the format has ${String(expected[i]!.type)}, not nullable`,
      );
    }
  }
  if (recordBatches !== metadata.steps) {
    throw new CorruptArtifactError(where, `has ${recordBatches} record batches; metadata "megashard.steps" says ${metadata.steps} (one batch per step)`);
  }
  return metadata;
}

/** A shard's metadata and batch count from its footer, without decoding any batch. */
export function readShardFileInfo(bytes: Uint8Array, where: string): ShardFileInfo {
  const { reader, metadata } = openShardReader(bytes, where);
  return { metadata, recordBatches: reader.numRecordBatches };
}

/**
 * A shard's micro-batches from step `fromStep` on (default: its first step), each decoded only
 * when reached: resuming at step k seeks through the footer and never decodes earlier batches.
 */
export function readShardBatches(bytes: Uint8Array, where: string, fromStep?: number): { metadata: ShardMetadata; batches: Iterable<ShardMicroBatch> } {
  const { reader, metadata } = openShardReader(bytes, where);
  const first = fromStep ?? metadata.firstStep;
  const end = metadata.firstStep + metadata.steps;
  if (!Number.isInteger(first) || first < metadata.firstStep || first > end) {
    throw new CorruptArtifactError(where, `has steps [${metadata.firstStep}, ${end}); cannot start at step ${first}`);
  }
  function* batches(): Generator<ShardMicroBatch> {
    for (let step = first; step < end; step++) {
      const batch = reader.readRecordBatch(step - metadata.firstStep);
      if (!batch) throw new CorruptArtifactError(where, `record batch of step ${step} is unreadable`);
      yield decodeShardRecordBatch(batch, step, where);
    }
  }
  return { metadata, batches: batches() };
}

/**
 * Decode one record batch of a shard (any reader: file, stream, ranged reads) into a typed
 * micro-batch. The batch does not know its position, so the caller passes its step.
 */
export function decodeShardRecordBatch(batch: RecordBatch, step: number, where: string): ShardMicroBatch {
  const table = new Table(batch);
  const n = batch.numRows;
  const at = `${where} step ${step}`;
  const names = new Set(batch.schema.fields.map((f) => f.name));
  const chunksOf = (name: string) => columnChunks(table, name, shardFieldType(name), at);
  const rows = readRows(chunksOf, n, names.has('input_ids'), names.has('pack'), at);
  const { tokens, ...index } = rows;
  if (!tokens) return { step, ...index };
  return {
    step,
    ...index,
    inputIds: { offsets: tokens.tokenOffsets, values: tokens.inputIds },
    labels: { offsets: tokens.tokenOffsets, values: tokens.labels },
    ...(tokens.positionIds ? { positionIds: { offsets: tokens.tokenOffsets, values: tokens.positionIds } } : {}),
    images: { offsets: tokens.imageOffsets, values: tokens.images },
    imageTokens: { offsets: tokens.imageOffsets, values: tokens.imageTokens },
  };
}

/**
 * A whole shard file as flat typed arrays, batches concatenated, with each step's row offsets.
 * Batches are decoded by the IPC batch reader (a few microseconds each), not arrow-js.
 */
export function readShardColumns(bytes: Uint8Array, where: string): ShardColumns {
  const { metadata } = openShardReader(bytes, where);
  const hasTokens = metadata.kind === SHARD_KIND;
  const packed = metadata.packing !== null;
  const kinds = [...SHARD_INDEX_KINDS, ...(packed ? ['int32' as const] : []), ...(hasTokens ? SHARD_TOKEN_KINDS : [])];
  if (hasTokens && packed) kinds.splice(kinds.length - 2, 0, 'list-int32');
  const { batchStarts, columns } = scanBatchedIpcFile(bytes, kinds, where);
  // Packed files have `pack` after is_padding and `position_ids` after labels: skip over them.
  const shift = (i: number) => i + (packed && i >= 7 ? 1 : 0) + (packed && i >= 9 ? 1 : 0);
  const at = <K extends IpcColumn['kind']>(i: number) => columns[shift(i)] as Extract<IpcColumn, { kind: K }>;
  const rows: ShardRows = {
    sampleIds: at<'int32'>(0).values,
    recordIds: at<'utf8'>(1).column,
    lengths: at<'int32'>(2).values,
    totalTokens: at<'int32'>(3).values,
    trainableTokens: at<'int32'>(4).values,
    modality: at<'uint8'>(5).values,
    isPadding: at<'bool'>(6).flags,
    ...(packed ? { pack: (columns[7] as Extract<IpcColumn, { kind: 'int32' }>).values } : {}),
  };
  if (!hasTokens) return { metadata, stepStarts: batchStarts, ...rows };
  const [inputIds, labels, images, imageTokens] = [at<'list-int32'>(7), at<'list-int32'>(8), at<'list-utf8'>(9), at<'list-int32'>(10)];
  const differ = (a: Int32Array, b: Int32Array) => a.length !== b.length || a.some((v, i) => v !== b[i]);
  if (differ(labels.offsets, inputIds.offsets)) throw new CorruptArtifactError(where, 'labels and input_ids have different lengths in some row');
  if (differ(imageTokens.offsets, images.offsets)) throw new CorruptArtifactError(where, 'image_tokens and images have different lengths in some row');
  const tokens: ShardTokenColumns = {
    tokenOffsets: inputIds.offsets,
    inputIds: inputIds.values,
    labels: labels.values,
    ...(packed ? { positionIds: positionIdsOf(columns[10] as Extract<IpcColumn, { kind: 'list-int32' }>, inputIds.offsets, where) } : {}),
    imageOffsets: images.offsets,
    images: images.items,
    imageTokens: imageTokens.values,
  };
  return { metadata, stepStarts: batchStarts, ...rows, tokens };
}

function positionIdsOf(column: Extract<IpcColumn, { kind: 'list-int32' }>, tokenOffsets: Int32Array, where: string): Int32Array {
  if (column.offsets.length !== tokenOffsets.length || column.offsets.some((v, i) => v !== tokenOffsets[i]))
    throw new CorruptArtifactError(where, 'position_ids and input_ids have different lengths in some row');
  return column.values;
}

const SHARD_INDEX_KINDS: IpcColumn['kind'][] = ['int32', 'utf8', 'int32', 'int32', 'int32', 'uint8', 'bool'];
const SHARD_TOKEN_KINDS: IpcColumn['kind'][] = ['list-int32', 'list-int32', 'list-utf8', 'list-int32'];

type ChunksOf = (name: string) => readonly Data[];

function readRows(chunksOf: ChunksOf, n: number, hasTokens: boolean, packed: boolean, where: string): ShardRows {
  const int32 = (name: string) => concatChunks(chunksOf(name), Int32Array, n);
  return {
    sampleIds: int32('sample_id'),
    recordIds: readUtf8(chunksOf('record_id'), n),
    lengths: int32('length'),
    totalTokens: int32('total_tokens'),
    trainableTokens: int32('trainable_tokens'),
    modality: concatChunks(chunksOf('modality'), Uint8Array, n),
    isPadding: unpackBoolChunks(chunksOf('is_padding'), n),
    ...(packed ? { pack: int32('pack') } : {}),
    ...(hasTokens ? { tokens: readTokens(chunksOf, n, packed, where) } : {}),
  };
}

function readTokens(chunksOf: ChunksOf, n: number, packed: boolean, where: string): ShardTokenColumns {
  const inputIds = readInt32List(chunksOf('input_ids'), n);
  const labels = readInt32List(chunksOf('labels'), n);
  const positions = packed ? readInt32List(chunksOf('position_ids'), n) : undefined;
  const images = readUtf8List(chunksOf('images'), n);
  const imageTokens = readInt32List(chunksOf('image_tokens'), n);
  const differ = (a: Int32Array, b: Int32Array) => a.length !== b.length || a.some((v, i) => v !== b[i]);
  if (differ(labels.offsets, inputIds.offsets)) throw new CorruptArtifactError(where, 'labels and input_ids have different lengths in some row');
  if (differ(imageTokens.offsets, images.offsets)) throw new CorruptArtifactError(where, 'image_tokens and images have different lengths in some row');
  if (positions && differ(positions.offsets, inputIds.offsets))
    throw new CorruptArtifactError(where, 'position_ids and input_ids have different lengths in some row');
  return {
    tokenOffsets: inputIds.offsets,
    inputIds: inputIds.values,
    labels: labels.values,
    ...(positions ? { positionIds: positions.values } : {}),
    imageOffsets: images.offsets,
    images: images.values,
    imageTokens: imageTokens.values,
  };
}
