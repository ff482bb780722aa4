/**
 * One rank's rows of a plan, fixed or packed, as the plan-rank file stores them: ids, padding,
 * and local row offsets of every step and every pack. Both plan types meet here so the file has
 * one encoder and one validating decoder.
 */
import { CorruptArtifactError } from '../core/errors.js';
import { rankPaddingFlags, rankSampleIds, type EpochPlan } from '../core/plan/epoch-plan.js';
import type { PackedEpochPlan } from '../core/packing/packed-epoch-plan.js';
import type { PlanRankLayout } from './plan-rank-metadata.js';

/** A rank's rows: ids and flags in iteration order, step and pack offsets local to the rank (each ends with the row count). */
export interface RankRows {
  readonly layout: PlanRankLayout;
  readonly sampleIds: Int32Array;
  readonly isPadding: Uint8Array;
  /** `stepCount + 1` row offsets: step k (counted from the first step) is rows [stepStarts[k], stepStarts[k+1]). */
  readonly stepStarts: Float64Array;
  /** `packCount + 1` row offsets; in the fixed layout every row is its own sequence. */
  readonly packStarts: Float64Array;
}

/** Whether a plan is packed (steps of variable size) rather than fixed-batch. */
export function isPackedPlan(plan: EpochPlan | PackedEpochPlan): plan is PackedEpochPlan {
  return 'stepStarts' in plan;
}

/** Rank r's rows of either plan type. */
export function rankRowsOf(plan: EpochPlan | PackedEpochPlan, rank: number): RankRows {
  const start = plan.rankStarts[rank]!;
  const end = plan.rankStarts[rank + 1]!;
  if (!isPackedPlan(plan)) {
    const n = end - start;
    const steps = Math.ceil(n / plan.microBatchSize);
    const stepStarts = Float64Array.from({ length: steps + 1 }, (_, k) => Math.min(k * plan.microBatchSize, n));
    const packStarts = Float64Array.from({ length: n + 1 }, (_, k) => k);
    return { layout: 'fixed', sampleIds: rankSampleIds(plan, rank), isPadding: rankPaddingFlags(plan, rank), stepStarts, packStarts };
  }
  const stepStarts = Float64Array.from({ length: plan.stepCount + 1 }, (_, k) =>
    k === plan.stepCount ? end - start : plan.stepStarts[rank * plan.stepCount + k]! - start,
  );
  const packs: number[] = [];
  for (let p = firstPackAtOrAfter(plan.packStarts, start); p < plan.packStarts.length && plan.packStarts[p]! < end; p++)
    packs.push(plan.packStarts[p]! - start);
  packs.push(end - start);
  return {
    layout: 'packed',
    sampleIds: plan.sampleIds.subarray(start, end),
    isPadding: plan.isPadding.subarray(start, end),
    stepStarts,
    packStarts: Float64Array.from(packs),
  };
}

/** Most packs any step of a packed plan holds on any rank (1 for balanced-pack@1). */
export function packsPerStepOf(plan: PackedEpochPlan): number {
  if (plan.packStarts === plan.stepStarts) return 1;
  let most = 1;
  let p = 0;
  for (let s = 0; s + 1 < plan.stepStarts.length; s++) {
    const end = plan.stepStarts[s + 1]!;
    let count = 0;
    while (p + 1 < plan.packStarts.length && plan.packStarts[p]! < end) {
      if (plan.packStarts[p]! >= plan.stepStarts[s]! && plan.packStarts[p]! < plan.packStarts[p + 1]!) count++;
      p++;
    }
    if (count > most) most = count;
  }
  return most;
}

function firstPackAtOrAfter(packStarts: Float64Array, row: number): number {
  let lo = 0;
  let hi = packStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (packStarts[mid]! < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The step, slot and pack columns a rank's rows are written with. */
export function stepColumnsOf(rows: RankRows, firstStep: number): { steps: Int32Array; slots: Int32Array; packs: Int32Array } {
  const n = rows.sampleIds.length;
  const steps = new Int32Array(n);
  const slots = new Int32Array(n);
  const packs = new Int32Array(n);
  let pack = 0;
  for (let k = 0; k + 1 < rows.stepStarts.length; k++) {
    let ordinal = -1;
    for (let p = rows.stepStarts[k]!; p < rows.stepStarts[k + 1]!; p++) {
      while (rows.packStarts[pack + 1]! <= p) pack++;
      if (rows.packStarts[pack] === p) ordinal++;
      steps[p] = firstStep + k;
      slots[p] = p - rows.stepStarts[k]!;
      packs[p] = ordinal;
    }
  }
  return { steps, slots, packs };
}

/** What a decoder checks the columns against. */
export interface DecodedLayout {
  readonly layout: PlanRankLayout;
  readonly firstStep: number;
  readonly microBatchSize: number;
  /** Declared step count (version 2), or null to derive it (version 1). */
  readonly stepCount: number | null;
}

/**
 * Rebuild the step and pack offsets from the decoded columns and check them: steps consecutive
 * from first_step, none empty, slots counting rows within the step, packs counting 0, 1, … within
 * it; the fixed layout also needs `micro_batch_size` rows per step (the last may be short) and one
 * row per pack. Any disagreement is CorruptArtifactError naming the row.
 */
export function stepOffsetsFromColumns(
  columns: { steps: Int32Array; slots: Int32Array; packs: Int32Array },
  expect: DecodedLayout,
  label: string,
): { stepStarts: Float64Array; packStarts: Float64Array } {
  const n = columns.steps.length;
  const stepStarts: number[] = [];
  const packStarts: number[] = [];
  const fixed = expect.layout === 'fixed';
  for (let p = 0; p < n; p++) {
    // Fixed: the position alone says where a row belongs. Packed: a new step value opens a step.
    const newStep = fixed ? p % expect.microBatchSize === 0 : p === 0 || columns.steps[p] !== columns.steps[p - 1];
    if (newStep) stepStarts.push(p);
    const step = expect.firstStep + stepStarts.length - 1;
    const slot = p - stepStarts[stepStarts.length - 1]!;
    const newPack = fixed || newStep || columns.packs[p] !== columns.packs[p - 1];
    if (newPack) packStarts.push(p);
    const pack = fixed ? slot : newStep ? 0 : columns.packs[p - 1]! + (newPack ? 1 : 0);
    if (columns.steps[p] !== step || columns.slots[p] !== slot || columns.packs[p] !== pack || pack >= expect.microBatchSize) {
      throw new CorruptArtifactError(label, rowMessage(p, columns, expect, step, slot, pack));
    }
  }
  if (expect.stepCount !== null && stepStarts.length !== expect.stepCount) {
    throw new CorruptArtifactError(label, `has ${stepStarts.length} steps; metadata megashard.step_count says ${expect.stepCount}`);
  }
  stepStarts.push(n);
  packStarts.push(n);
  return { stepStarts: Float64Array.from(stepStarts), packStarts: Float64Array.from(packStarts) };
}

function rowMessage(
  p: number,
  c: { steps: Int32Array; slots: Int32Array; packs: Int32Array },
  e: DecodedLayout,
  step: number,
  slot: number,
  pack: number,
): string {
  const found = `row ${p} has step ${c.steps[p]}, slot ${c.slots[p]}, pack ${c.packs[p]}`;
  if (e.layout === 'fixed')
    return `${found}; micro_batch_size ${e.microBatchSize} and first_step ${e.firstStep} imply step ${step}, slot ${slot}, pack ${pack}`;
  return `${found}; a packed layout from first_step ${e.firstStep} with at most ${e.microBatchSize} packs per step implies step ${step}, slot ${slot}, pack ${pack} (steps consecutive, slots and packs counted within the step)`;
}
