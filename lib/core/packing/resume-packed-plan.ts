import { InvalidInputError } from '../errors.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';

/**
 * The plan of an epoch resumed at step `fromStep` (an absolute step number): every rank's steps
 * from there on, step numbers kept (`firstStep`). By construction the tail of the full plan, so a
 * resumed job trains exactly what an uninterrupted one would have from that step.
 */
export function resumePackedPlanAt(plan: PackedEpochPlan, fromStep: number): PackedEpochPlan {
  const first = plan.firstStep ?? 0;
  const last = first + plan.stepCount;
  if (!Number.isInteger(fromStep) || fromStep < first || fromStep > last) {
    throw new InvalidInputError('fromStep', `is ${fromStep}; this plan has steps ${first}..${last - 1} (use ${last} for "finished")`);
  }
  const skip = fromStep - first;
  const stepCount = plan.stepCount - skip;
  const W = plan.worldSize;
  const stepStarts = new Float64Array(W * stepCount + 1);
  let rows = 0;
  for (let r = 0; r < W; r++) {
    const base = plan.stepStarts[r * plan.stepCount + skip]!;
    for (let s = 0; s < stepCount; s++) stepStarts[r * stepCount + s] = rows + plan.stepStarts[r * plan.stepCount + skip + s]! - base;
    rows += plan.rankStarts[r + 1]! - base;
  }
  stepStarts[W * stepCount] = rows;
  const sampleIds = new Int32Array(rows);
  const isPadding = new Uint8Array(rows);
  for (let r = 0; r < W; r++) {
    const from = plan.stepStarts[r * plan.stepCount + skip]!;
    const to = plan.rankStarts[r + 1]!;
    sampleIds.set(plan.sampleIds.subarray(from, to), stepStarts[r * stepCount]);
    isPadding.set(plan.isPadding.subarray(from, to), stepStarts[r * stepCount]);
  }
  const rankStarts = Float64Array.from({ length: W + 1 }, (_, r) => stepStarts[r * stepCount]!);
  const packStarts = plan.packStarts === plan.stepStarts ? stepStarts : tailPackStarts(plan, skip, stepStarts);
  return { ...plan, stepCount, sampleIds, isPadding, rankStarts, stepStarts, packStarts, firstStep: fromStep };
}

/** With several packs per step: the packs starting inside each rank's kept rows, rebased. */
function tailPackStarts(plan: PackedEpochPlan, skip: number, stepStarts: Float64Array): Float64Array {
  const starts: number[] = [];
  const stepCount = plan.stepCount - skip;
  let p = 0;
  for (let r = 0; r < plan.worldSize; r++) {
    const from = plan.stepStarts[r * plan.stepCount + skip]!;
    const to = plan.rankStarts[r + 1]!;
    while (p < plan.packStarts.length - 1 && plan.packStarts[p]! < from) p++;
    for (; p < plan.packStarts.length - 1 && plan.packStarts[p]! < to; p++) starts.push(stepStarts[r * stepCount]! + plan.packStarts[p]! - from);
  }
  starts.push(stepStarts[stepStarts.length - 1]!);
  return Float64Array.from(starts);
}
