/**
 * Where the steps and packs of one rank's packed shard begin, as rank-local row offsets. A packed
 * shard keeps one row per sample (the layout every other shard column already has) and groups the
 * rows twice: record batch k is step firstStep + k (stepStarts), and inside a step consecutive rows
 * form packs (packStarts), each pack one varlen sequence. Packs never straddle steps.
 */
import { InvalidInputError } from '../errors.js';
import type { PackedEpochPlan } from '../packing/packed-epoch-plan.js';

/** One rank's step and pack boundaries (rank-local rows). */
export interface PackedRankLayout {
  /** Step of the first record batch (0 unless the plan resumed mid-epoch). */
  readonly firstStep: number;
  /** steps + 1 row offsets, from 0 to the rank's rows. */
  readonly stepStarts: Int32Array;
  /** packs + 1 row offsets, from 0 to the rank's rows; every step start is a pack start. */
  readonly packStarts: Int32Array;
}

/** Rank `rank`'s layout in a packed plan (offsets rebased to the rank's first row). */
export function packedRankLayout(plan: PackedEpochPlan, rank: number): PackedRankLayout {
  const base = plan.rankStarts[rank]!;
  const end = plan.rankStarts[rank + 1]!;
  const stepStarts = new Int32Array(plan.stepCount + 1);
  for (let s = 0; s <= plan.stepCount; s++) stepStarts[s] = plan.stepStarts[rank * plan.stepCount + s]! - base;
  const packs: number[] = [];
  for (let p = 0; p + 1 < plan.packStarts.length; p++) {
    const start = plan.packStarts[p]!;
    if (start >= base && start < end) packs.push(start - base);
  }
  packs.push(end - base);
  return { firstStep: plan.firstStep ?? 0, stepStarts, packStarts: Int32Array.from(packs) };
}

/** Steps + 1 row offsets from a per-row step column (rows in step order, no step skipped). */
export function stepStartsOfRows(steps: Int32Array, firstStep: number, stepCount: number): Int32Array {
  const starts = new Int32Array(stepCount + 1);
  for (let p = 0; p < steps.length; p++) {
    const k = steps[p]! - firstStep;
    if (k < 0 || k >= stepCount || (p > 0 && steps[p]! < steps[p - 1]!)) {
      throw new InvalidInputError(`steps[${p}]`, `is ${steps[p]}; rows must run through steps ${firstStep}..${firstStep + stepCount - 1} in order`);
    }
    starts[k + 1]!++;
  }
  for (let k = 0; k < stepCount; k++) starts[k + 1]! += starts[k]!;
  return starts;
}

/**
 * The `pack` column: each row's pack number within its step (0 for the first pack of a step).
 * Fails when a pack straddles a step boundary or the offsets do not cover the rows.
 */
export function packInStepColumn(layout: PackedRankLayout): Int32Array {
  const { stepStarts, packStarts } = layout;
  const rows = stepStarts[stepStarts.length - 1]!;
  if (packStarts[0] !== 0 || packStarts[packStarts.length - 1] !== rows || stepStarts[0] !== 0) {
    throw new InvalidInputError('packStarts', `must run from 0 to the rank's ${rows} rows, as the step starts do`);
  }
  const out = new Int32Array(rows);
  let step = 0;
  let inStep = 0;
  for (let j = 0; j + 1 < packStarts.length; j++) {
    const [start, end] = [packStarts[j]!, packStarts[j + 1]!];
    if (end <= start) throw new InvalidInputError(`packStarts[${j + 1}]`, `is ${end}; a pack holds at least one row (it starts at ${start})`);
    while (stepStarts[step + 1]! <= start) {
      step++;
      inStep = 0;
    }
    if (end > stepStarts[step + 1]!) {
      throw new InvalidInputError(`packStarts[${j}]`, `pack rows [${start}, ${end}) straddle the start of step ${layout.firstStep + step + 1}`);
    }
    out.fill(inStep++, start, end);
  }
  return out;
}

/** Rank-local pack starts back from a `pack` column and the step starts (readers, the audit). */
export function packStartsOfColumn(pack: Int32Array, stepStarts: ArrayLike<number>): Int32Array {
  const starts: number[] = [];
  let k = 0;
  for (let p = 0; p < pack.length; p++) {
    while (stepStarts[k + 1]! <= p) k++;
    if (p === stepStarts[k] || pack[p] !== pack[p - 1]) starts.push(p);
  }
  starts.push(pack.length);
  return Int32Array.from(starts);
}
