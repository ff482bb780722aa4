/**
 * One rank's share of an epoch plan as an Arrow IPC file: what that rank's DataLoader reads, in
 * order, with the micro-step and slot of each sample spelled out so a reader needs no arithmetic.
 */
import { Bool, Field, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData, type Data } from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import { rankPaddingFlags, rankSampleIds, type EpochPlan } from '../core/plan/epoch-plan.js';
import { columnChunks, concatChunks, metadataDecimal, missingOr, parseArrowMetadata, readArrowFile, unpackBoolChunks } from './ipc-read.js';

/** `megashard.kind` of a plan-rank file. */
export const PLAN_RANK_KIND = 'plan-rank';
/** `megashard.format_version` written and accepted; any change in columns or semantics bumps it. */
export const PLAN_RANK_FORMAT_VERSION = '1';

const FIELDS = [
  new Field('sample_id', new Int32(), false),
  new Field('step', new Int32(), false),
  new Field('slot', new Int32(), false),
  new Field('length', new Int32(), false),
  new Field('is_padding', new Bool(), false),
];

/** Run-level facts written into every rank file (the rank itself is a separate argument). */
export interface PlanRankMeta {
  /** The plan's fingerprint (footer key `megashard.run_fingerprint`, named before runs had ids of their own). */
  readonly planFingerprint: string;
  readonly strategyId: string;
  readonly epoch: number;
  readonly worldSize: number;
  readonly microBatchSize: number;
  readonly gradientAccumulation: number;
}

/**
 * Encode rank `rank` of `plan` as Arrow IPC file bytes (one record batch). `lengths` are the signed
 * lengths the plan was made from, indexed by sample id. Same inputs give the same bytes.
 */
export function encodePlanRankFile(plan: EpochPlan, rank: number, lengths: Int32Array, meta: PlanRankMeta): Uint8Array {
  checkEncodeArguments(plan, rank, meta);
  const ids = rankSampleIds(plan, rank);
  const padding = rankPaddingFlags(plan, rank);
  const n = ids.length;
  const firstStep = plan.firstStep ?? 0;
  const steps = new Int32Array(n);
  const slots = new Int32Array(n);
  const sampleLengths = new Int32Array(n);
  const paddingBits = new Uint8Array((n + 7) >> 3);
  for (let p = 0; p < n; p++) {
    const id = ids[p]!;
    if (id < 0 || id >= lengths.length) {
      throw new InvalidInputError(`plan.sampleIds[${plan.rankStarts[rank]! + p}]`, `is ${id}; not a row of the ${lengths.length} lengths`);
    }
    steps[p] = firstStep + Math.floor(p / plan.microBatchSize);
    slots[p] = p % plan.microBatchSize;
    sampleLengths[p] = lengths[id]!;
    // Arrow booleans are bit-packed, least significant bit first.
    if (padding[p] !== 0) paddingBits[p >> 3]! |= 1 << (p & 7);
  }
  const metadata = new Map([
    ['megashard.kind', PLAN_RANK_KIND],
    ['megashard.format_version', PLAN_RANK_FORMAT_VERSION],
    ['megashard.run_fingerprint', meta.planFingerprint],
    ['megashard.strategy_id', meta.strategyId],
    ['megashard.epoch', String(meta.epoch)],
    ['megashard.rank', String(rank)],
    ['megashard.world_size', String(meta.worldSize)],
    ['megashard.micro_batch_size', String(meta.microBatchSize)],
    ['megashard.gradient_accumulation', String(meta.gradientAccumulation)],
    ['megashard.first_step', String(firstStep)],
  ]);
  const schema = new Schema(FIELDS, metadata);
  const int32 = (data: Int32Array) => makeData({ type: new Int32(), length: n, nullCount: 0, data });
  const children = [int32(ids), int32(steps), int32(slots), int32(sampleLengths), makeData({ type: new Bool(), length: n, nullCount: 0, data: paddingBits })];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
  return RecordBatchFileWriter.writeAll([batch]).toUint8Array(true);
}

/** The meta must describe the plan it travels with; a contradiction would mislead every reader. */
function checkEncodeArguments(plan: EpochPlan, rank: number, meta: PlanRankMeta): void {
  if (!Number.isInteger(rank) || rank < 0 || rank >= plan.worldSize) {
    throw new InvalidInputError('rank', `is ${rank}; must be an integer in [0, ${plan.worldSize})`);
  }
  const same = [
    ['worldSize', plan.worldSize],
    ['microBatchSize', plan.microBatchSize],
    ['epoch', plan.epoch],
    ['strategyId', plan.strategyId],
  ] as const;
  for (const [key, planValue] of same) {
    if (meta[key] !== planValue) throw new InvalidInputError(`meta.${key}`, `is ${JSON.stringify(meta[key])} but the plan says ${JSON.stringify(planValue)}`);
  }
  if (!Number.isInteger(meta.gradientAccumulation) || meta.gradientAccumulation < 1) {
    throw new InvalidInputError('meta.gradientAccumulation', `is ${meta.gradientAccumulation}; must be an integer ≥ 1`);
  }
  if (meta.planFingerprint === '') throw new InvalidInputError('meta.planFingerprint', 'is empty; pass the plan fingerprint');
}

const decimal = metadataDecimal;

const planRankMetadataSchema = z
  .object({
    'megashard.kind': z.literal(PLAN_RANK_KIND, { error: missingOr(`must be "${PLAN_RANK_KIND}" (is this a plan-rank file?)`) }),
    'megashard.format_version': z.literal(PLAN_RANK_FORMAT_VERSION, {
      error: missingOr(`must be "${PLAN_RANK_FORMAT_VERSION}"; the file was written by another format version: re-plan with this megashard`),
    }),
    'megashard.run_fingerprint': z.string({ error: missingOr('must be a string') }).min(1, { error: 'is empty' }),
    'megashard.strategy_id': z.string({ error: missingOr('must be a string') }).min(1, { error: 'is empty' }),
    'megashard.epoch': decimal(0),
    'megashard.rank': decimal(0),
    'megashard.world_size': decimal(1),
    'megashard.micro_batch_size': decimal(1),
    'megashard.gradient_accumulation': decimal(1),
    'megashard.first_step': decimal(0),
  })
  .refine((m) => m['megashard.rank'] < m['megashard.world_size'], { error: 'must be below megashard.world_size', path: ['megashard.rank'] })
  .transform((m) => ({
    kind: m['megashard.kind'],
    formatVersion: m['megashard.format_version'],
    planFingerprint: m['megashard.run_fingerprint'],
    strategyId: m['megashard.strategy_id'],
    epoch: m['megashard.epoch'],
    rank: m['megashard.rank'],
    worldSize: m['megashard.world_size'],
    microBatchSize: m['megashard.micro_batch_size'],
    gradientAccumulation: m['megashard.gradient_accumulation'],
    firstStep: m['megashard.first_step'],
  }));

/** Validated schema metadata of a plan-rank file. */
export type PlanRankMetadata = z.output<typeof planRankMetadataSchema>;

/** A decoded plan-rank file: parallel columns, in the rank's iteration order. */
export interface DecodedPlanRank {
  readonly sampleIds: Int32Array;
  readonly steps: Int32Array;
  readonly slots: Int32Array;
  readonly lengths: Int32Array;
  /** 1 where the entry is declared padding, else 0 (unpacked from Arrow's bits). */
  readonly isPadding: Uint8Array;
  readonly metadata: PlanRankMetadata;
}

/** Decode plan-rank file bytes; anything unexpected throws CorruptArtifactError naming `label`. */
export function decodePlanRankFile(bytes: Uint8Array, label = 'plan rank file'): DecodedPlanRank {
  const table = readArrowFile(bytes, label);
  const metadata = parseArrowMetadata(table.schema.metadata, planRankMetadataSchema, label);
  const n = table.numRows;
  const int32Column = (name: string) => concatChunks(columnChunks(table, name, new Int32(), label), Int32Array, n);
  const decoded = {
    sampleIds: int32Column('sample_id'),
    steps: int32Column('step'),
    slots: int32Column('slot'),
    lengths: int32Column('length'),
    isPadding: unpackBoolChunks(columnChunks(table, 'is_padding', new Bool(), label), n),
    metadata,
  };
  const { microBatchSize: batchSize, firstStep } = metadata;
  for (let p = 0; p < n; p++) {
    const step = firstStep + Math.floor(p / batchSize);
    if (decoded.steps[p] !== step || decoded.slots[p] !== p % batchSize) {
      throw new CorruptArtifactError(
        label,
        `row ${p} has step ${decoded.steps[p]}, slot ${decoded.slots[p]}; micro_batch_size ${batchSize} and first_step ${firstStep} imply step ${step}, slot ${p % batchSize}`,
      );
    }
  }
  return decoded;
}
