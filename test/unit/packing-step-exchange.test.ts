import { describe, expect, it } from 'vitest';
import { LENDER_LIMIT, applyExchange, planExchangeWithDearerGroups } from '../../lib/core/packing/step-exchange.js';
import { imbalanceOf } from '../../lib/core/packing/step-rebalance.js';
import { parseBalancedPackSpec } from '../../lib/core/packing/balanced-pack-spec.js';
import { planBalancedPack } from '../../lib/core/packing/plan-balanced-pack.js';
import { stepCostImbalance } from '../../lib/core/packing/packed-plan-measures.js';
import { llava665kShaped } from '../../lib/core/synth/packing-corpora.js';

describe('exchanging packs with dearer steps', () => {
  it('evens out a group straddling a cliff of pack costs, its lenders staying within their limit', () => {
    const W = 100;
    // Groups 0–20: packs of cost 100.0 … 100.099; group 21: 20 packs at 100, 80 under-filled at 90.
    const costs = [...Array.from({ length: 21 * W }, (_, i) => 100.1 - (i % W) / 1000), ...Array.from({ length: W }, (_, i) => (i < 20 ? 100 : 90))];
    const grouped = Int32Array.from(costs, (_, i) => i);
    const group = (g: number) => Array.from(grouped.subarray(g * W, (g + 1) * W), (pack) => costs[pack]!);
    expect(imbalanceOf(group(21))).toBeGreaterThan(0.08);
    const exchange = planExchangeWithDearerGroups(
      grouped,
      W,
      21,
      (pack) => costs[pack]!,
      () => true,
    );
    applyExchange(grouped, exchange);
    expect(imbalanceOf(group(21))).toBeCloseTo(exchange.imbalance, 12);
    expect(exchange.imbalance).toBeLessThanOrEqual(LENDER_LIMIT);
    for (let g = 1; g < 21; g++) expect(imbalanceOf(group(g))).toBeLessThanOrEqual(LENDER_LIMIT);
    expect(group(0)).toEqual(costs.slice(0, W));
    expect(Array.from(grouped).sort((a, b) => a - b)).toEqual(costs.map((_, i) => i));
  });

  it('lends no pack a caller marks as not lendable', () => {
    const W = 10;
    const costs = [...Array.from({ length: 2 * W }, () => 100), ...Array.from({ length: W }, (_, i) => (i < 2 ? 100 : 50))];
    const grouped = Int32Array.from(costs, (_, i) => i);
    const exchange = planExchangeWithDearerGroups(
      grouped,
      W,
      2,
      (pack) => costs[pack]!,
      () => false,
    );
    expect(exchange.swaps).toEqual([]);
  });

  it('keeps every step of a 665K-shaped plan within 2 percent where re-dealing alone could not (300K samples, 4096, W = 1024)', () => {
    const corpus = llava665kShaped(300_000);
    const spec = parseBalancedPackSpec({ maxTokens: 4096, worldSize: 1024, seed: 2 });
    const imbalance = stepCostImbalance(planBalancedPack(corpus.tokens, corpus.images, spec, 0), corpus.tokens, spec.costLinearWeight);
    expect(Math.max(...imbalance)).toBeLessThanOrEqual(0.02);
  });
});
