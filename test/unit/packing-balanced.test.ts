import { describe, expect, it } from 'vitest';
import { planBalancedPack, BALANCED_PACK_ID } from '../../lib/core/packing/plan-balanced-pack.js';
import { parseBalancedPackSpec } from '../../lib/core/packing/balanced-pack-spec.js';
import { packedStepRows } from '../../lib/core/packing/packed-epoch-plan.js';
import { planPackingEfficiency, stepCostImbalance } from '../../lib/core/packing/packed-plan-measures.js';
import { packCosts, sampleCost } from '../../lib/core/packing/pack-cost.js';
import { packSamples } from '../../lib/core/packing/pack-samples.js';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { llava665kShaped, mmc4Shaped } from '../../lib/core/synth/packing-corpora.js';

const corpora = { 'LLaVA-665K-shaped': llava665kShaped(200_000), 'MMC4-shaped': mmc4Shaped(200_000) };
const targets = [
  [8192, 0.995],
  [4096, 0.99],
] as const;

describe.each(Object.entries(corpora))('balanced-pack@1 on a %s corpus (200K samples)', (_, corpus) => {
  it.each(targets)('fills packs of %i tokens to at least %f of the budget', (maxTokens, target) => {
    const plan = planBalancedPack(corpus.tokens, corpus.images, parseBalancedPackSpec({ maxTokens, worldSize: 64, seed: 42 }), 0);
    expect(plan.strategyId).toBe(BALANCED_PACK_ID);
    expect(planPackingEfficiency(plan, corpus.tokens)).toBeGreaterThanOrEqual(target);
  });

  it.each([8, 64, 256])('balances every step within 2 percent across %i ranks (default cost model), costliest step first', (worldSize) => {
    const spec = parseBalancedPackSpec({ maxTokens: 8192, worldSize, seed: 42 });
    const plan = planBalancedPack(corpus.tokens, corpus.images, spec, 0);
    const imbalance = stepCostImbalance(plan, corpus.tokens, spec.costLinearWeight);
    expect(Math.max(...imbalance)).toBeLessThanOrEqual(0.02);
    const packCost = (rank: number, step: number) => {
      let cost = 0;
      const [start, end] = packedStepRows(plan, rank, step);
      for (let j = start; j < end; j++) cost += sampleCost(corpus.tokens[plan.sampleIds[j]!]!, spec.costLinearWeight);
      return cost;
    };
    let dearestAtZero = 0;
    for (let r = 0; r < worldSize; r++) dearestAtZero = Math.max(dearestAtZero, packCost(r, 0));
    for (let s = 1; s < plan.stepCount; s++) for (let r = 0; r < worldSize; r++) expect(packCost(r, s)).toBeLessThanOrEqual(dearestAtZero);
  });

  it('keeps the mean step imbalance under 2% even with an attention-only cost (c = 0)', () => {
    const spec = parseBalancedPackSpec({ maxTokens: 8192, worldSize: 64, seed: 42, costLinearWeight: 0 });
    const imbalance = stepCostImbalance(planBalancedPack(corpus.tokens, corpus.images, spec, 0), corpus.tokens, 0);
    expect(imbalance.reduce((a, b) => a + b, 0) / imbalance.length).toBeLessThanOrEqual(0.02);
  });
});

describe('balanced-pack@1 details', () => {
  it('sums pack costs while packing exactly as a separate pass over the members would', () => {
    const { tokens, images } = llava665kShaped(5000);
    const spec = parseBalancedPackSpec({ maxTokens: 4096, worldSize: 4, seed: 1, maxImagesPerPack: 4 });
    const packs = packSamples(tokens, images, spec, Mt19937.fromKey([1]));
    expect(packs.packCosts).toEqual(packCosts(packs.members, packs.packStarts, tokens, spec.costLinearWeight));
  });

  it('draws different mega-batches for different seeds and epochs', () => {
    const { tokens } = mmc4Shaped(20_000);
    const plan = (seed: number, epoch: number) =>
      planBalancedPack(tokens, null, parseBalancedPackSpec({ maxTokens: 4096, worldSize: 8, seed }, 'packing'), epoch).sampleIds;
    expect(plan(1, 0)).not.toEqual(plan(1, 1));
    expect(plan(1, 0)).not.toEqual(plan(2, 0));
    expect(plan(1, 0)).toEqual(plan(1, 0));
  });

  it('plans an empty corpus as zero steps', () => {
    const plan = planBalancedPack(new Int32Array(0), null, parseBalancedPackSpec({ maxTokens: 10, worldSize: 3, seed: 0 }), 0);
    expect(plan.stepCount).toBe(0);
    expect(plan.sampleIds.length).toBe(0);
    expect(Array.from(plan.rankStarts)).toEqual([0, 0, 0, 0]);
  });
});
