/**
 * One rank's share of an epoch plan as an Arrow IPC file: what that rank's DataLoader reads, in
 * order, with the step, slot and pack of each row spelled out so a reader needs no arithmetic.
 *
 * Layout, format_version 2 (one record batch, one row per planned entry, in iteration order):
 *   sample_id  int32  row of the length index
 *   step       int32  step number: first_step, first_step + 1, … consecutive, no step empty
 *   slot       int32  the row's position within its step, from 0
 *   pack       int32  the row's pack within its step, from 0 (rows of a pack are contiguous);
 *                     in the fixed layout every row is its own sequence, so pack = slot
 *   length     int32  the (signed) length the plan was made from
 *   is_padding bool   the entry repeats one already in this epoch (declared padding)
 * Metadata (`megashard.` keys): kind "plan-rank", format_version "2", run_fingerprint,
 * strategy_id, epoch, rank, world_size, gradient_accumulation, first_step, step_count (steps in
 * this file), layout ("fixed": micro_batch_size samples per step, the last step may be short;
 * "packed": whole packs per step, a variable number of rows, micro_batch_size = most packs in a
 * step), and max_tokens (the pack budget; packed layout only).
 * Version 1 (still read) had no pack column, layout, step_count or max_tokens: always fixed.
 * Decoding returns the columns plus `stepStarts` and `packStarts` (row offsets, each ending with
 * the row count), so a shard writer takes step k as rows [stepStarts[k], stepStarts[k+1]).
 */
import { Bool, Field, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData } from 'apache-arrow';
import { InvalidInputError } from '../core/errors.js';
import type { EpochPlan } from '../core/plan/epoch-plan.js';
import type { PackedEpochPlan } from '../core/packing/packed-epoch-plan.js';
import { columnChunks, concatChunks, parseArrowMetadata, readArrowFile, unpackBoolChunks } from './ipc-read.js';
import { PLAN_RANK_FORMAT_VERSION, PLAN_RANK_KIND, planRankMetadataSchema, type PlanRankMetadata as ParsedMetadata } from './plan-rank-metadata.js';
import { isPackedPlan, packsPerStepOf, rankRowsOf, stepColumnsOf, stepOffsetsFromColumns } from './plan-rank-rows.js';

export { PLAN_RANK_FORMAT_VERSION, PLAN_RANK_KIND } from './plan-rank-metadata.js';

const FIELDS = [
  new Field('sample_id', new Int32(), false),
  new Field('step', new Int32(), false),
  new Field('slot', new Int32(), false),
  new Field('pack', new Int32(), false),
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
  /** Fixed plans: samples per step. Packed plans: most packs in a step ({@link planMicroBatchSize}). */
  readonly microBatchSize: number;
  readonly gradientAccumulation: number;
}

/** The micro_batch_size a plan's rank files carry: its batch size, or for packs the most packs in a step. */
export function planMicroBatchSize(plan: EpochPlan | PackedEpochPlan): number {
  return isPackedPlan(plan) ? packsPerStepOf(plan) : plan.microBatchSize;
}

/**
 * Encode rank `rank` of a fixed or packed plan as Arrow IPC file bytes (one record batch).
 * `lengths` are the signed lengths the plan was made from, indexed by sample id. Same inputs give
 * the same bytes.
 */
export function encodePlanRankFile(plan: EpochPlan | PackedEpochPlan, rank: number, lengths: Int32Array, meta: PlanRankMeta): Uint8Array {
  checkEncodeArguments(plan, rank, meta);
  const rows = rankRowsOf(plan, rank);
  const ids = rows.sampleIds;
  const n = ids.length;
  const firstStep = plan.firstStep ?? 0;
  const { steps, slots, packs } = stepColumnsOf(rows, firstStep);
  const sampleLengths = new Int32Array(n);
  const paddingBits = new Uint8Array((n + 7) >> 3);
  for (let p = 0; p < n; p++) {
    const id = ids[p]!;
    if (id < 0 || id >= lengths.length) {
      throw new InvalidInputError(`plan.sampleIds[${plan.rankStarts[rank]! + p}]`, `is ${id}; not a row of the ${lengths.length} lengths`);
    }
    sampleLengths[p] = lengths[id]!;
    // Arrow booleans are bit-packed, least significant bit first.
    if (rows.isPadding[p] !== 0) paddingBits[p >> 3]! |= 1 << (p & 7);
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
    ['megashard.step_count', String(rows.stepStarts.length - 1)],
    ['megashard.layout', rows.layout],
    ...(isPackedPlan(plan) ? [['megashard.max_tokens', String(plan.maxTokens)] as [string, string]] : []),
  ]);
  const schema = new Schema(FIELDS, metadata);
  const int32 = (data: Int32Array) => makeData({ type: new Int32(), length: n, nullCount: 0, data });
  const bools = makeData({ type: new Bool(), length: n, nullCount: 0, data: paddingBits });
  const children = [int32(ids), int32(steps), int32(slots), int32(packs), int32(sampleLengths), bools];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
  return RecordBatchFileWriter.writeAll([batch]).toUint8Array(true);
}

/** The meta must describe the plan it travels with; a contradiction would mislead every reader. */
function checkEncodeArguments(plan: EpochPlan | PackedEpochPlan, rank: number, meta: PlanRankMeta): void {
  if (!Number.isInteger(rank) || rank < 0 || rank >= plan.worldSize) {
    throw new InvalidInputError('rank', `is ${rank}; must be an integer in [0, ${plan.worldSize})`);
  }
  const same = [
    ['worldSize', plan.worldSize],
    ['microBatchSize', planMicroBatchSize(plan)],
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

/** Validated schema metadata of a plan-rank file (version 1 files read as layout "fixed", step count derived). */
export type PlanRankMetadata = Omit<ParsedMetadata, 'stepCount'> & { readonly stepCount: number };

/** A decoded plan-rank file: parallel columns in the rank's iteration order, and its step and pack offsets. */
export interface DecodedPlanRank {
  readonly sampleIds: Int32Array;
  readonly steps: Int32Array;
  readonly slots: Int32Array;
  /** The row's pack within its step (version 1 files: the slot). */
  readonly packs: Int32Array;
  readonly lengths: Int32Array;
  /** 1 where the entry is declared padding, else 0 (unpacked from Arrow's bits). */
  readonly isPadding: Uint8Array;
  /** `stepCount + 1` row offsets: step firstStep + k is rows [stepStarts[k], stepStarts[k+1]). */
  readonly stepStarts: Float64Array;
  /** Row offsets of every pack (fixed layout: every row), plus the row count. */
  readonly packStarts: Float64Array;
  readonly metadata: PlanRankMetadata;
}

/** Decode plan-rank file bytes, version 1 or 2; anything unexpected throws CorruptArtifactError naming `label`. */
export function decodePlanRankFile(bytes: Uint8Array, label = 'plan rank file'): DecodedPlanRank {
  const table = readArrowFile(bytes, label);
  const parsed = parseArrowMetadata(table.schema.metadata, planRankMetadataSchema, label);
  const n = table.numRows;
  const int32Column = (name: string) => concatChunks(columnChunks(table, name, new Int32(), label), Int32Array, n);
  const steps = int32Column('step');
  const slots = int32Column('slot');
  const packs = parsed.formatVersion === '1' ? slots : int32Column('pack');
  const offsets = stepOffsetsFromColumns({ steps, slots, packs }, parsed, label);
  return {
    sampleIds: int32Column('sample_id'),
    steps,
    slots,
    packs,
    lengths: int32Column('length'),
    isPadding: unpackBoolChunks(columnChunks(table, 'is_padding', new Bool(), label), n),
    ...offsets,
    metadata: { ...parsed, stepCount: offsets.stepStarts.length - 1 },
  };
}

/** Rank file rows [from, to) of step `firstStep + k` of a decoded file. */
export function planRankStepRows(decoded: DecodedPlanRank, k: number): [number, number] {
  return [decoded.stepStarts[k]!, decoded.stepStarts[k + 1]!];
}
