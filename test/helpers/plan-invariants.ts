import type { EpochPlan } from '../../lib/core/plan/epoch-plan.js';

/** Occurrence counts of each sample in a plan: real (unflagged) and padding (flagged). */
export function occurrences(plan: EpochPlan, sampleCount: number): { real: Uint32Array; padding: Uint32Array } {
  const real = new Uint32Array(sampleCount);
  const padding = new Uint32Array(sampleCount);
  plan.sampleIds.forEach((id, p) => (plan.isPadding[p] ? padding : real)[id]!++);
  return { real, padding };
}

/**
 * The permutation invariant: every sample not dropped appears exactly once unflagged, dropped
 * samples never appear, and every padding entry repeats a sample that also appears for real.
 * Returns a description of the first violation, or null.
 */
export function permutationViolation(plan: EpochPlan, sampleCount: number): string | null {
  const dropped = new Set(plan.droppedIds);
  const { real, padding } = occurrences(plan, sampleCount);
  for (let id = 0; id < sampleCount; id++) {
    const expectedReal = dropped.has(id) ? 0 : 1;
    if (real[id] !== expectedReal) return `sample ${id} appears ${real[id]} times unflagged (expected ${expectedReal})`;
    if (padding[id]! > 0 && real[id] === 0) return `sample ${id} is padding without a real occurrence`;
  }
  return null;
}

/** Rank r's micro-batch at step s (ids), for a plan whose ranks are all full. */
export function microBatch(plan: EpochPlan, rank: number, step: number): Int32Array {
  const start = plan.rankStarts[rank]! + step * plan.microBatchSize;
  return plan.sampleIds.subarray(start, start + plan.microBatchSize);
}

/** Steps of every rank. */
export function stepCounts(plan: EpochPlan): number[] {
  return Array.from({ length: plan.worldSize }, (_, r) => (plan.rankStarts[r + 1]! - plan.rankStarts[r]!) / plan.microBatchSize);
}
