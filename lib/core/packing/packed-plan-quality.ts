import { DEFAULT_COST_LINEAR_WEIGHT } from './balanced-pack-spec.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import { planPackingEfficiency, stepCostImbalance } from './packed-plan-measures.js';

/** What a packed plan costs, measured from the plan (the packed rows of `bench quality`). */
export interface PackedPlanQuality {
  readonly maxTokens: number;
  readonly stepsPerRank: number;
  /** Distinct samples planned, over the index size. */
  readonly coverage: number;
  /** Packs trained once, and packs repeated as declared padding. */
  readonly packs: number;
  readonly repeatedPacks: number;
  /** Σ tokens ÷ (maxTokens × packs), repeats left out. */
  readonly efficiency: number;
  /** Budget left empty in the trained packs (maxTokens − tokens), over real tokens: the fill waste. */
  readonly fillWaste: number;
  /** Tokens (budget) of the repeated packs, over real tokens: the padding waste of a packed plan. */
  readonly paddingWaste: number;
  /** Mean and worst per-step attention-cost imbalance across ranks (L² + c·L, c = 12·4096). */
  readonly meanStepCostImbalance: number;
  readonly maxStepCostImbalance: number;
}

/** Measure a packed plan against the token counts it was made from. */
export function measurePackedPlanQuality(plan: PackedEpochPlan, totalTokens: Int32Array, costLinearWeight = DEFAULT_COST_LINEAR_WEIGHT): PackedPlanQuality {
  let packs = 0;
  let repeatedPacks = 0;
  let tokens = 0;
  const seen = new Uint8Array(totalTokens.length);
  let distinct = 0;
  for (let p = 0; p + 1 < plan.packStarts.length; p++) {
    const start = plan.packStarts[p]!;
    const end = plan.packStarts[p + 1]!;
    if (start === end) continue;
    if (plan.isPadding[start]) {
      repeatedPacks++;
      continue;
    }
    packs++;
    for (let j = start; j < end; j++) {
      const id = plan.sampleIds[j]!;
      tokens += totalTokens[id]!;
      if (seen[id] === 0) distinct++;
      seen[id] = 1;
    }
  }
  const imbalance = stepCostImbalance(plan, totalTokens, costLinearWeight);
  let sum = 0;
  let max = 0;
  for (const value of imbalance) {
    sum += value;
    max = Math.max(max, value);
  }
  const real = Math.max(tokens, 1);
  return {
    maxTokens: plan.maxTokens,
    stepsPerRank: plan.stepCount,
    coverage: distinct / Math.max(totalTokens.length, 1),
    packs,
    repeatedPacks,
    efficiency: planPackingEfficiency(plan, totalTokens),
    fillWaste: Math.max(0, packs * plan.maxTokens - tokens) / real,
    paddingWaste: (repeatedPacks * plan.maxTokens) / real,
    meanStepCostImbalance: imbalance.length > 0 ? sum / imbalance.length : 0,
    maxStepCostImbalance: max,
  };
}
