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
import { shardFields, shardMetadataMap, type ShardMeta, type ShardRows, type ShardTokenColumns } from './shard-schema.js';

export {
  SHARD_FORMAT_VERSION,
  SHARD_PACKED_FORMAT_VERSION,
  shardPackingSchema,
  type ShardPacking,
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
 * index-only variant. Record batch k holds rows [k·B, (k+1)·B) for B = meta.microBatchSize; for a
 * packed shard (`meta.packing`) it holds rows [stepStarts[k], stepStarts[k+1]), whole packs.
 * Same inputs → same bytes.
 */
export function encodeShardFile(rows: ShardRows, meta: ShardMeta, stepStarts?: ArrayLike<number>): Uint8Array {
  checkShardInput(rows, meta);
  const n = rows.sampleIds.length;
  const packed = meta.packing != null;
  if (packed) checkPackedInput(rows, n, stepStarts);
  const steps = packed ? stepStarts!.length - 1 : shardStepCount(n, meta.microBatchSize);
  const schema = new Schema(shardFields(rows.tokens !== undefined, packed), shardMetadataMap(meta, rows.tokens !== undefined, steps));
  return encodeBatchedIpcFile(schema, shardIpcColumns(rows), n, packed ? stepStarts! : meta.microBatchSize);
}

/** A packed shard needs its pack column, its position ids and step offsets covering every row. */
function checkPackedInput(rows: ShardRows, n: number, stepStarts: ArrayLike<number> | undefined): void {
  if (stepStarts === undefined || stepStarts.length < 1 || stepStarts[0] !== 0 || stepStarts[stepStarts.length - 1] !== n)
    throw new InvalidInputError('stepStarts', `a packed shard needs steps + 1 row offsets from 0 to its ${n} rows`);
  for (let k = 0; k + 1 < stepStarts.length; k++)
    if (stepStarts[k + 1]! <= stepStarts[k]!) throw new InvalidInputError(`stepStarts[${k + 1}]`, 'every step of a packed shard holds at least one row');
  if (rows.pack?.length !== n) throw new InvalidInputError('shard.pack', `a packed shard needs one pack number per row (${n})`);
  if (rows.tokens && rows.tokens.positionIds?.length !== rows.tokens.inputIds.length)
    throw new InvalidInputError('shard.tokens.positionIds', 'a packed tokens shard needs one position id per input id');
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
    ...(rows.pack ? [{ kind: 'int32' as const, values: rows.pack }] : []),
  ];
  const tokens = rows.tokens;
  if (!tokens) return columns;
  return [
    ...columns,
    { kind: 'list-int32', offsets: tokens.tokenOffsets, values: tokens.inputIds },
    { kind: 'list-int32', offsets: tokens.tokenOffsets, values: tokens.labels },
    ...(rows.pack && tokens.positionIds ? [{ kind: 'list-int32' as const, offsets: tokens.tokenOffsets, values: tokens.positionIds }] : []),
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
