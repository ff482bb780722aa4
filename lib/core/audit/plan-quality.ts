import type { EpochPlan } from '../plan/epoch-plan.js';

/** What a plan costs and guarantees, measured from the plan itself (not from its strategy). */
export interface PlanQuality {
  readonly stepsPerRankMin: number;
  readonly stepsPerRankMax: number;
  /** Distinct samples planned, over the index size. */
  readonly coverage: number;
  /** Entries repeating a sample already planned this epoch. */
  readonly repeatedEntries: number;
  /** Mean over steps of (busiest rank's tokens / mean rank tokens − 1): time ranks wait at the step's all-reduce. */
  readonly meanStepTokenImbalance: number;
  /** Tokens of padding to each micro-batch's longest sample, over real tokens. */
  readonly paddingWaste: number;
  /** Whether step 0 holds the epoch's longest sample (an out-of-memory shows at once). */
  readonly longestAtStepZero: boolean;
}

/**
 * Measure a plan against the lengths it was made from. Steps are micro-steps; a rank that has
 * run out of steps counts as an idle rank with 0 tokens (what an uneven plan really costs).
 */
export function measurePlanQuality(plan: EpochPlan, signedLengths: Int32Array): PlanQuality {
  const W = plan.worldSize;
  const B = plan.microBatchSize;
  const steps = Array.from({ length: W }, (_, r) => Math.ceil((plan.rankStarts[r + 1]! - plan.rankStarts[r]!) / B));
  const maxSteps = Math.max(...steps);
  let imbalanceSum = 0;
  let waste = 0;
  let tokens = 0;
  let longestAtZero = 0;
  for (let step = 0; step < maxSteps; step++) {
    let busiest = 0;
    let total = 0;
    for (let r = 0; r < W; r++) {
      const start = plan.rankStarts[r]! + step * B;
      const end = Math.min(start + B, plan.rankStarts[r + 1]!);
      let sum = 0;
      let longest = 0;
      for (let p = start; p < end; p++) {
        const length = Math.abs(signedLengths[plan.sampleIds[p]!]!);
        sum += length;
        if (length > longest) longest = length;
      }
      if (step === 0 && longest > longestAtZero) longestAtZero = longest;
      waste += Math.max(0, end - start) * longest - sum;
      busiest = Math.max(busiest, sum);
      total += sum;
    }
    tokens += total;
    if (total > 0) imbalanceSum += busiest / (total / W) - 1;
  }
  return {
    stepsPerRankMin: Math.min(...steps),
    stepsPerRankMax: maxSteps,
    coverage: countDistinct(plan.sampleIds, signedLengths.length) / signedLengths.length,
    repeatedEntries: plan.sampleIds.length - countDistinct(plan.sampleIds, signedLengths.length),
    meanStepTokenImbalance: maxSteps > 0 ? imbalanceSum / maxSteps : 0,
    paddingWaste: tokens > 0 ? waste / tokens : 0,
    longestAtStepZero: longestAtZero === maxMagnitude(plan.sampleIds, signedLengths),
  };
}

function countDistinct(ids: Int32Array, sampleCount: number): number {
  const seen = new Uint8Array(sampleCount);
  let distinct = 0;
  for (let i = 0; i < ids.length; i++) {
    if (seen[ids[i]!] === 0) {
      seen[ids[i]!] = 1;
      distinct++;
    }
  }
  return distinct;
}

function maxMagnitude(ids: Int32Array, signedLengths: Int32Array): number {
  let max = 0;
  for (let i = 0; i < ids.length; i++) max = Math.max(max, Math.abs(signedLengths[ids[i]!]!));
  return max;
}
