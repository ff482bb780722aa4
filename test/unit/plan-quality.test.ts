import { describe, expect, it } from 'vitest';
import { measurePlanQuality } from '../../lib/core/audit/plan-quality.js';
import type { EpochPlan } from '../../lib/core/plan/epoch-plan.js';

const plan = (sampleIds: number[], rankStarts: number[], microBatchSize: number): EpochPlan => ({
  strategyId: 'test@1',
  epoch: 0,
  worldSize: rankStarts.length - 1,
  microBatchSize,
  sampleIds: Int32Array.from(sampleIds),
  rankStarts: Float64Array.from(rankStarts),
  isPadding: new Uint8Array(sampleIds.length),
  droppedIds: new Int32Array(0),
});

describe('measurePlanQuality', () => {
  const lengths = Int32Array.from([100, -50, 30, 20, 10, 90]);

  it('measures padding waste, imbalance, coverage and the longest-first property by hand', () => {
    // rank 0: [0,5] then [4]; rank 1: [1,2] then [3]  (B = 2)
    const q = measurePlanQuality(plan([0, 5, 4, 1, 2, 3], [0, 3, 6], 2), lengths);
    // step 0: rank0 190 (waste 10), rank1 80 (waste 20); step 1: rank0 10, rank1 20.
    expect(q.paddingWaste).toBeCloseTo(30 / 300);
    expect(q.meanStepTokenImbalance).toBeCloseTo((190 / 135 - 1 + (20 / 15 - 1)) / 2);
    expect(q.coverage).toBe(1);
    expect(q.repeatedEntries).toBe(0);
    expect(q.longestAtStepZero).toBe(true);
    expect([q.stepsPerRankMin, q.stepsPerRankMax]).toEqual([2, 2]);
  });

  it('counts an idle rank as imbalance, repeats, and a longest sample missing from step 0', () => {
    const q = measurePlanQuality(plan([4, 3, 0, 0, 1], [0, 4, 5], 2), lengths);
    expect([q.stepsPerRankMin, q.stepsPerRankMax]).toEqual([1, 2]);
    expect(q.repeatedEntries).toBe(1);
    expect(q.coverage).toBeCloseTo(4 / 6);
    expect(q.longestAtStepZero).toBe(false);
    // step 0: 30 vs 50 tokens → 50 / 40 − 1 = 0.25; step 1: 200 vs an idle rank → 200 / 100 − 1 = 1.
    expect(q.meanStepTokenImbalance).toBeCloseTo((0.25 + 1) / 2);
  });
});
