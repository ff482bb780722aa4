import { InvalidInputError } from '../errors.js';
import type { EpochPlan } from './epoch-plan.js';

/**
 * The plan of an epoch resumed at micro-step `fromStep`: each rank's entries from that step on,
 * step numbers unchanged. It is by construction the tail of the full plan, so a resumed job sees
 * exactly the order an uninterrupted one would have (no replaying, no re-shuffling).
 */
export function resumePlanAt(plan: EpochPlan, fromStep: number): EpochPlan {
  const maxSteps = maxStepCount(plan);
  if (!Number.isInteger(fromStep) || fromStep < 0 || fromStep > maxSteps) {
    throw new InvalidInputError('fromStep', `is ${fromStep}; this epoch has steps 0..${maxSteps - 1} (use ${maxSteps} for "finished")`);
  }
  const skip = fromStep * plan.microBatchSize;
  const counts: number[] = [];
  const keep: Array<[number, number]> = [];
  for (let r = 0; r < plan.worldSize; r++) {
    const start = Math.min(plan.rankStarts[r]! + skip, plan.rankStarts[r + 1]!);
    keep.push([start, plan.rankStarts[r + 1]!]);
    counts.push(plan.rankStarts[r + 1]! - start);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  const rankStarts = new Float64Array(plan.worldSize + 1);
  keep.forEach(([start, end], r) => {
    sampleIds.set(plan.sampleIds.subarray(start, end), rankStarts[r]);
    isPadding.set(plan.isPadding.subarray(start, end), rankStarts[r]);
    rankStarts[r + 1] = rankStarts[r]! + (end - start);
  });
  return { ...plan, sampleIds, isPadding, rankStarts, firstStep: fromStep };
}

/** The largest step count over ranks. */
export function maxStepCount(plan: EpochPlan): number {
  let steps = 0;
  for (let r = 0; r < plan.worldSize; r++) {
    steps = Math.max(steps, Math.ceil((plan.rankStarts[r + 1]! - plan.rankStarts[r]!) / plan.microBatchSize));
  }
  return steps;
}
