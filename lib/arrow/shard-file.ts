/**
 * A rank's shard for one epoch as an Arrow IPC file whose record batch k is the rank's micro-batch
 * of step first_step + k, so a trainer streams batches in order and, on resume, seeks to step k
 * through the file footer's batch index. Columns are built once from flat typed arrays and every
 * batch is a zero-copy window onto them; there are no dictionary columns (a dictionary shared
 * across batches is a trap for streaming readers).
 */
import { Bool, Int32, List, RecordBatch, RecordBatchFileWriter, Schema, Struct, Uint8, Utf8, makeData, type Data } from 'apache-arrow';
import { InvalidInputError } from '../core/errors.js';
import type { Utf8Column } from '../core/index/length-index.js';
import {
  SHARD_INDEX_FIELDS, SHARD_TOKEN_FIELDS, shardMetadataMap, type ShardMeta, type ShardRows, type ShardTokenColumns,
} from './shard-schema.js';

export {
  SHARD_FORMAT_VERSION, SHARD_INDEX_KIND, SHARD_KIND, shardMetadataSchema,
  type ShardMeta, type ShardMetadata, type ShardRows, type ShardTokenColumns,
} from './shard-schema.js';
export {
  decodeShardRecordBatch, readShardBatches, readShardColumns, readShardFileInfo,
  type ShardColumns, type ShardFileInfo, type ShardMicroBatch,
} from './shard-read.js';

/** Micro-steps a rank with `entries` rows runs: the last micro-batch may be partial. */
export function shardStepCount(entries: number, microBatchSize: number): number {
  return Math.ceil(entries / microBatchSize);
}

/**
 * Encode a rank's rows as a shard file: the tokens variant when `rows.tokens` is given, else the
 * index-only variant. Record batch k holds rows [k·B, (k+1)·B) for B = meta.microBatchSize.
 * Same inputs → same bytes.
 */
export function encodeShardFile(input: ShardRows, meta: ShardMeta): Uint8Array {
  checkShardInput(input, meta);
  const rows = withDistinctMemory(input);
  const n = rows.sampleIds.length;
  const steps = shardStepCount(n, meta.microBatchSize);
  const fields = rows.tokens ? [...SHARD_INDEX_FIELDS, ...SHARD_TOKEN_FIELDS] : [...SHARD_INDEX_FIELDS];
  const schema = new Schema(fields, shardMetadataMap(meta, rows.tokens !== undefined, steps));
  const paddingBits = packBits(rows.isPadding);
  const tokenChildren = rows.tokens ? tokenChildData(rows.tokens) : undefined;
  const writer = new RecordBatchFileWriter();
  // Reset with the schema first so a rank with no steps still gets a readable file (schema, no batches).
  writer.reset(undefined, schema);
  for (let step = 0; step < steps; step++) {
    const start = step * meta.microBatchSize;
    const end = Math.min(n, start + meta.microBatchSize);
    const children = [...indexColumns(rows, paddingBits, start, end), ...(tokenChildren ? tokenColumns(rows.tokens!, tokenChildren, start, end) : [])];
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: end - start, nullCount: 0, children })));
  }
  return writer.finish().toUint8Array(true);
}

function indexColumns(rows: ShardRows, paddingBits: Uint8Array, start: number, end: number): Data[] {
  const length = end - start;
  const int32 = (values: Int32Array) => makeData({ type: new Int32(), length, nullCount: 0, data: values.subarray(start, end) });
  return [
    int32(rows.sampleIds),
    utf8Rows(rows.recordIds, start, end),
    int32(rows.lengths),
    int32(rows.totalTokens),
    int32(rows.trainableTokens),
    makeData({ type: new Uint8(), length, nullCount: 0, data: rows.modality.subarray(start, end) }),
    // Bool data is addressed by bit offset; the IPC writer re-aligns the bits of each window.
    makeData({ type: new Bool(), offset: start, length, nullCount: 0, data: paddingBits }),
  ];
}

/**
 * The list columns' whole-file children (each batch's lists point into them; the writer slices),
 * and private copies of the shared offsets: arrow-js joins output chunks that share memory and
 * touch or overlap, so the same offsets written twice in a row (labels after input_ids when a
 * step has no tokens, image_tokens after images when it has no images) would be written once and
 * corrupt the file.
 */
function tokenChildData(tokens: ShardTokenColumns) {
  const int32 = (values: Int32Array) => makeData({ type: new Int32(), length: values.length, nullCount: 0, data: values });
  return {
    inputIds: int32(tokens.inputIds),
    labels: int32(tokens.labels),
    labelOffsets: tokens.tokenOffsets.slice(),
    images: utf8Rows(tokens.images, 0, tokens.images.offsets.length - 1),
    imageTokens: int32(tokens.imageTokens),
    imageTokenOffsets: tokens.imageOffsets.slice(),
  };
}

function tokenColumns(tokens: ShardTokenColumns, children: ReturnType<typeof tokenChildData>, start: number, end: number): Data[] {
  const list = (field: number, offsets: Int32Array, child: Data) =>
    makeData({ type: SHARD_TOKEN_FIELDS[field]!.type as List, length: end - start, nullCount: 0, valueOffsets: offsets.subarray(start, end + 1), child });
  return [
    list(0, tokens.tokenOffsets, children.inputIds),
    list(1, children.labelOffsets, children.labels),
    list(2, tokens.imageOffsets, children.images),
    list(3, children.imageTokenOffsets, children.imageTokens),
  ];
}

/** Rows [start, end) of a Utf8Column without copying: the IPC writer rebases the offsets. */
function utf8Rows(column: Utf8Column, start: number, end: number): Data<Utf8> {
  return makeData({ type: new Utf8(), length: end - start, nullCount: 0, valueOffsets: column.offsets.subarray(start, end + 1), data: column.bytes });
}

/**
 * The rows with every column in memory of its own: a column that aliases an earlier one (the same
 * array passed twice, overlapping views) is copied, for the reason given at tokenChildData.
 */
function withDistinctMemory(rows: ShardRows): ShardRows {
  const seen: ArrayBufferView[] = [];
  const own = <A extends Int32Array | Uint8Array>(array: A): A => {
    const overlaps = seen.some((other) => other.buffer === array.buffer && other.byteOffset < array.byteOffset + array.byteLength && array.byteOffset < other.byteOffset + other.byteLength);
    const result = overlaps ? (array.slice() as A) : array;
    seen.push(result);
    return result;
  };
  const utf8 = (column: Utf8Column): Utf8Column => ({ offsets: own(column.offsets), bytes: own(column.bytes) });
  const index = {
    sampleIds: own(rows.sampleIds), recordIds: utf8(rows.recordIds), lengths: own(rows.lengths), totalTokens: own(rows.totalTokens),
    trainableTokens: own(rows.trainableTokens), modality: own(rows.modality), isPadding: rows.isPadding,
  };
  const tokens = rows.tokens;
  if (!tokens) return index;
  return {
    ...index,
    tokens: {
      tokenOffsets: own(tokens.tokenOffsets), inputIds: own(tokens.inputIds), labels: own(tokens.labels),
      imageOffsets: own(tokens.imageOffsets), images: utf8(tokens.images), imageTokens: own(tokens.imageTokens),
    },
  };
}

/** 0/1 flags as Arrow's bit-packed booleans, least significant bit first. */
function packBits(flags: Uint8Array): Uint8Array {
  const bits = new Uint8Array((flags.length + 7) >> 3);
  for (let p = 0; p < flags.length; p++) if (flags[p] !== 0) bits[p >> 3]! |= 1 << (p & 7);
  return bits;
}

/** Shapes and meta must agree: a shard that contradicts itself would mislead every trainer. */
function checkShardInput(rows: ShardRows, meta: ShardMeta): void {
  const n = rows.sampleIds.length;
  const fail = (field: string, why: string): never => {
    throw new InvalidInputError(field, why);
  };
  const columns = { lengths: rows.lengths, totalTokens: rows.totalTokens, trainableTokens: rows.trainableTokens, modality: rows.modality, isPadding: rows.isPadding };
  for (const [name, column] of Object.entries(columns)) if (column.length !== n) fail(`shard.${name}`, `has ${column.length} rows; expected ${n} (one per sample id)`);
  if (rows.recordIds.offsets.length !== n + 1) fail('shard.recordIds.offsets', `has ${rows.recordIds.offsets.length} entries; expected ${n + 1}`);
  for (const key of ['epoch', 'firstStep'] as const) if (!Number.isSafeInteger(meta[key]) || meta[key] < 0) fail(`meta.${key}`, `is ${meta[key]}; must be an integer ≥ 0`);
  for (const key of ['worldSize', 'microBatchSize', 'gradientAccumulation'] as const) {
    if (!Number.isSafeInteger(meta[key]) || meta[key] < 1) fail(`meta.${key}`, `is ${meta[key]}; must be an integer ≥ 1`);
  }
  if (!Number.isInteger(meta.rank) || meta.rank < 0 || meta.rank >= meta.worldSize) fail('meta.rank', `is ${meta.rank}; must be an integer in [0, ${meta.worldSize})`);
  for (const key of ['planFingerprint', 'indexFingerprint', 'strategyId'] as const) if (meta[key] === '') fail(`meta.${key}`, 'is empty');
  if (rows.tokens) checkTokenShapes(rows.tokens, n);
}

function checkTokenShapes(tokens: ShardTokenColumns, n: number): void {
  const check = (ok: boolean, field: string, why: string): void => {
    if (!ok) throw new InvalidInputError(`shard.tokens.${field}`, why);
  };
  check(tokens.tokenOffsets.length === n + 1, 'tokenOffsets', `has ${tokens.tokenOffsets.length} entries; expected ${n + 1}`);
  check(tokens.imageOffsets.length === n + 1, 'imageOffsets', `has ${tokens.imageOffsets.length} entries; expected ${n + 1}`);
  check(tokens.tokenOffsets[0] === 0 && tokens.tokenOffsets[n] === tokens.inputIds.length, 'tokenOffsets', `must run from 0 to the ${tokens.inputIds.length} input ids`);
  check(tokens.labels.length === tokens.inputIds.length, 'labels', `has ${tokens.labels.length} values; expected ${tokens.inputIds.length} (as many as input ids)`);
  const images = tokens.imageTokens.length;
  check(tokens.imageOffsets[0] === 0 && tokens.imageOffsets[n] === images, 'imageOffsets', `must run from 0 to the ${images} image rows`);
  check(tokens.images.offsets.length === images + 1, 'images', `has ${tokens.images.offsets.length - 1} rows; expected ${images}`);
  for (let p = 0; p < n; p++) {
    check(tokens.tokenOffsets[p]! <= tokens.tokenOffsets[p + 1]!, `tokenOffsets[${p}]`, 'offsets must not decrease');
    check(tokens.imageOffsets[p]! <= tokens.imageOffsets[p + 1]!, `imageOffsets[${p}]`, 'offsets must not decrease');
  }
}
