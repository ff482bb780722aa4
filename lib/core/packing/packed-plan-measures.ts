import { sampleCost } from './pack-cost.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import type { FlatPacks } from './pack-list.js';

/** Σ tokens ÷ (maxTokens × packs) of a pack list: 1 means every pack is exactly full. */
export function packingEfficiency(packs: FlatPacks, totalTokens: Int32Array, maxTokens: number): number {
  const count = packs.packStarts.length - 1;
  if (count === 0) return 1;
  let tokens = 0;
  for (let j = packs.packStarts[0]!; j < packs.packStarts[count]!; j++) tokens += totalTokens[packs.members[j]!]!;
  return tokens / (maxTokens * count);
}

/** The same over a plan's packs, repeats (padding) left out. */
export function planPackingEfficiency(plan: PackedEpochPlan, totalTokens: Int32Array): number {
  let tokens = 0;
  let packs = 0;
  for (let p = 0; p + 1 < plan.packStarts.length; p++) {
    const start = plan.packStarts[p]!;
    if (start === plan.packStarts[p + 1]! || plan.isPadding[start]) continue;
    packs++;
    for (let j = start; j < plan.packStarts[p + 1]!; j++) tokens += totalTokens[plan.sampleIds[j]!]!;
  }
  return packs === 0 ? 1 : tokens / (plan.maxTokens * packs);
}

/**
 * Per step, how long the other ranks wait for the busiest: max ÷ mean − 1 of the ranks' costs
 * at that step (cost model of pack-cost.ts with linear weight c). 0 = perfectly balanced.
 */
export function stepCostImbalance(plan: PackedEpochPlan, totalTokens: Int32Array, linearWeight: number): Float64Array {
  const imbalance = new Float64Array(plan.stepCount);
  for (let s = 0; s < plan.stepCount; s++) {
    let max = 0;
    let sum = 0;
    for (let r = 0; r < plan.worldSize; r++) {
      const at = r * plan.stepCount + s;
      let cost = 0;
      for (let j = plan.stepStarts[at]!; j < plan.stepStarts[at + 1]!; j++) cost += sampleCost(totalTokens[plan.sampleIds[j]!]!, linearWeight);
      sum += cost;
      if (cost > max) max = cost;
    }
    imbalance[s] = sum === 0 ? 0 : max / (sum / plan.worldSize) - 1;
  }
  return imbalance;
}
