/**
 * A rank's shard for one epoch as an Arrow IPC file whose record batch k is the rank's micro-batch
 * of step first_step + k, so a trainer streams batches in order and, on resume, seeks to step k
 * through the file footer's batch index. There are no dictionary columns (a dictionary shared
 * across batches is a trap for streaming readers). The batches are written by our own IPC batch
 * writer: arrow-js spends about half a millisecond per batch, and an epoch has millions.
 */
import { Schema } from 'apache-arrow';
import { InvalidInputError } from '../core/errors.js';
import { encodeBatchedIpcFile, type IpcColumn } from './ipc-batch-writer.js';
import { SHARD_INDEX_FIELDS, SHARD_TOKEN_FIELDS, shardMetadataMap, type ShardMeta, type ShardRows, type ShardTokenColumns } from './shard-schema.js';

export {
  SHARD_FORMAT_VERSION,
  SHARD_INDEX_KIND,
  SHARD_KIND,
  shardMetadataSchema,
  type ShardMeta,
  type ShardMetadata,
  type ShardRows,
  type ShardTokenColumns,
} from './shard-schema.js';
export {
  decodeShardRecordBatch,
  readShardBatches,
  readShardColumns,
  readShardFileInfo,
  type ShardColumns,
  type ShardFileInfo,
  type ShardMicroBatch,
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
export function encodeShardFile(rows: ShardRows, meta: ShardMeta): Uint8Array {
  checkShardInput(rows, meta);
  const n = rows.sampleIds.length;
  const fields = rows.tokens ? [...SHARD_INDEX_FIELDS, ...SHARD_TOKEN_FIELDS] : [...SHARD_INDEX_FIELDS];
  const schema = new Schema(fields, shardMetadataMap(meta, rows.tokens !== undefined, shardStepCount(n, meta.microBatchSize)));
  return encodeBatchedIpcFile(schema, shardIpcColumns(rows), n, meta.microBatchSize);
}

/** The shard's columns in schema order, as the batch writer takes them. */
export function shardIpcColumns(rows: ShardRows): IpcColumn[] {
  const columns: IpcColumn[] = [
    { kind: 'int32', values: rows.sampleIds },
    { kind: 'utf8', column: rows.recordIds },
    { kind: 'int32', values: rows.lengths },
    { kind: 'int32', values: rows.totalTokens },
    { kind: 'int32', values: rows.trainableTokens },
    { kind: 'uint8', values: rows.modality },
    { kind: 'bool', flags: rows.isPadding },
  ];
  const tokens = rows.tokens;
  if (!tokens) return columns;
  return [
    ...columns,
    { kind: 'list-int32', offsets: tokens.tokenOffsets, values: tokens.inputIds },
    { kind: 'list-int32', offsets: tokens.tokenOffsets, values: tokens.labels },
    { kind: 'list-utf8', offsets: tokens.imageOffsets, items: tokens.images },
    { kind: 'list-int32', offsets: tokens.imageOffsets, values: tokens.imageTokens },
  ];
}

/** Shapes and meta must agree: a shard that contradicts itself would mislead every trainer. */
function checkShardInput(rows: ShardRows, meta: ShardMeta): void {
  const n = rows.sampleIds.length;
  const fail = (field: string, why: string): never => {
    throw new InvalidInputError(field, why);
  };
  const columns = {
    lengths: rows.lengths,
    totalTokens: rows.totalTokens,
    trainableTokens: rows.trainableTokens,
    modality: rows.modality,
    isPadding: rows.isPadding,
  };
  for (const [name, column] of Object.entries(columns))
    if (column.length !== n) fail(`shard.${name}`, `has ${column.length} rows; expected ${n} (one per sample id)`);
  checkOffsets(rows.recordIds.offsets, n, rows.recordIds.bytes.length, 'shard.recordIds.offsets');
  for (const key of ['epoch', 'firstStep'] as const)
    if (!Number.isSafeInteger(meta[key]) || meta[key] < 0) fail(`meta.${key}`, `is ${meta[key]}; must be an integer ≥ 0`);
  for (const key of ['worldSize', 'microBatchSize', 'gradientAccumulation'] as const) {
    if (!Number.isSafeInteger(meta[key]) || meta[key] < 1) fail(`meta.${key}`, `is ${meta[key]}; must be an integer ≥ 1`);
  }
  if (!Number.isInteger(meta.rank) || meta.rank < 0 || meta.rank >= meta.worldSize)
    fail('meta.rank', `is ${meta.rank}; must be an integer in [0, ${meta.worldSize})`);
  for (const key of ['planFingerprint', 'indexFingerprint', 'strategyId'] as const) if (meta[key] === '') fail(`meta.${key}`, 'is empty');
  if (rows.tokens) checkTokenShapes(rows.tokens, n);
}

function checkTokenShapes(tokens: ShardTokenColumns, n: number): void {
  if (tokens.labels.length !== tokens.inputIds.length) {
    throw new InvalidInputError('shard.tokens.labels', `has ${tokens.labels.length} values; expected ${tokens.inputIds.length} (as many as input ids)`);
  }
  checkOffsets(tokens.tokenOffsets, n, tokens.inputIds.length, 'shard.tokens.tokenOffsets');
  checkOffsets(tokens.imageOffsets, n, tokens.imageTokens.length, 'shard.tokens.imageOffsets');
  checkOffsets(tokens.images.offsets, tokens.imageTokens.length, tokens.images.bytes.length, 'shard.tokens.images.offsets');
}

/** n + 1 non-decreasing offsets from 0 to exactly the values they cut (the writer copies by them). */
function checkOffsets(offsets: Int32Array, n: number, values: number, field: string): void {
  if (offsets.length !== n + 1) throw new InvalidInputError(field, `has ${offsets.length} entries; expected ${n + 1}`);
  if (offsets[0] !== 0 || offsets[n] !== values)
    throw new InvalidInputError(field, `must run from 0 to ${values} (the values it cuts); runs from ${offsets[0]} to ${offsets[n]}`);
  for (let p = 0; p < n; p++) if (offsets[p]! > offsets[p + 1]!) throw new InvalidInputError(`${field}[${p}]`, 'offsets must not decrease');
}
