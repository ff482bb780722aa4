import { describe, expect, it } from 'vitest';
import { epochPlanFromShards, measureEpochQuality, wastedSlotFraction } from '../../lib/core/audit/epoch-quality.js';
import { compareEpochOrders } from '../../lib/core/audit/epoch-order.js';
import { lengthHistogram, niceWidth } from '../../lib/core/audit/length-histogram.js';
import { findLongestFirst, promisesLongestFirst } from '../../lib/core/audit/longest-first.js';
import { measurePlanQuality } from '../../lib/core/audit/plan-quality.js';
import type { EpochShards, RankShardColumns } from '../../lib/core/audit/rank-shard-columns.js';
import { countRejectsByReason, reasonClass } from '../../lib/core/audit/rejects-by-reason.js';
import { auditReportSchema, type AuditReport } from '../../lib/core/audit/report-schema.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import { measureStepTokens } from '../../lib/core/audit/step-tokens.js';
import { MODALITY_TEXT_ONLY } from '../../lib/core/index/length-index.js';
import { plannedFixture, rowAt, withRank } from '../helpers/audit-fixture.js';

/** Rank columns from per-step token lists (one row per token count; other columns trivial). */
function columnsOf(rank: number, steps: number[][], lengths?: number[][]): RankShardColumns {
  const flat = steps.flat();
  const stepStarts = new Int32Array(steps.length + 1);
  steps.forEach((step, k) => (stepStarts[k + 1] = stepStarts[k]! + step.length));
  return {
    facts: { epoch: 0, rank, worldSize: 2, microBatchSize: 2, firstStep: 0 },
    stepStarts,
    sampleIds: Int32Array.from(flat, (_, i) => rank * 100 + i),
    lengths: Int32Array.from(lengths?.flat() ?? flat),
    totalTokens: Int32Array.from(flat),
    trainableTokens: new Int32Array(flat.length),
    modality: new Uint8Array(flat.length).fill(1),
    isPadding: new Uint8Array(flat.length),
  };
}

const NO_EXTRAS = { files: { verified: 0, bytes: 0 }, rejects: [] };

describe('per-step tokens across ranks', () => {
  it('sums each rank per step, takes busiest ÷ mean, and counts a rank out of steps as idle', () => {
    const tokens = measureStepTokens([
      columnsOf(0, [[10, 30], [5, 5], [8]]),
      columnsOf(1, [
        [20, 20],
        [30, 10],
      ]),
    ]);
    expect(tokens.steps).toBe(3);
    expect(Array.from(tokens.imbalanceByStep)).toEqual([1, 40 / 25, 8 / 4]);
    expect(tokens.worstStep).toEqual({ step: 2, imbalance: 2, busiestRank: 0 });
    expect(tokens.heatmap).toEqual({ rows: 2, columns: 3, ranksPerRow: 1, stepsPerColumn: 1, meanTokens: [40, 10, 8, 40, 40, 0] });
  });

  it('downsamples 1024 ranks × 401 steps to at most 64 × 200 cells, keeping the mean', () => {
    const ranks = Array.from({ length: 1024 }, (_, r) =>
      columnsOf(
        r,
        Array.from({ length: 401 }, () => [r % 2 === 0 ? 100 : 300]),
      ),
    );
    const tokens = measureStepTokens(ranks);
    expect([tokens.heatmap.rows, tokens.heatmap.columns, tokens.heatmap.ranksPerRow, tokens.heatmap.stepsPerColumn]).toEqual([64, 134, 16, 3]);
    expect(new Set(tokens.heatmap.meanTokens)).toEqual(new Set([200]));
    expect(tokens.imbalanceSeries.max).toHaveLength(134);
    expect(tokens.imbalanceSeries.max[0]).toBeCloseTo(1.5);
  });

  it('agrees with plan-quality: mean of (busiest ÷ mean) − 1 over steps is its meanStepTokenImbalance', () => {
    const fixture = plannedFixture(3000, { strategy: 'xtuner-length-grouped', seed: 3, worldSize: 8, perDeviceBatchSize: 4 });
    const [shards] = fixture.epochs as [EpochShards];
    const series = measureStepTokens(shards.ranks).imbalanceByStep;
    const plan = epochPlanFromShards(shards, 4);
    const mean = series.reduce((sum, x) => sum + x, 0) / series.length - 1;
    expect(mean).toBeCloseTo(measurePlanQuality(plan, fixture.index.totalTokens).meanStepTokenImbalance, 12);
  });
});

describe('padding waste against a random order', () => {
  it('length-grouped shards waste far less than the same entries in a seeded random order, reproducibly', () => {
    const fixture = plannedFixture(20_000, { strategy: 'balanced', seed: 5, worldSize: 8, perDeviceBatchSize: 8 });
    const [shards] = fixture.epochs as [EpochShards];
    const quality = measureEpochQuality(shards, 8);
    expect(wastedSlotFraction(quality.written)).toBeLessThan(wastedSlotFraction(quality.randomOrder) / 3);
    expect(measureEpochQuality(shards, 8)).toEqual(quality);
    // Measuring entries by their own cost is plan-quality's measure of the plan on true cost.
    const byId = measurePlanQuality(epochPlanFromShards(shards, 8), fixture.index.totalTokens);
    expect(quality.written.paddingWaste).toBeCloseTo(byId.paddingWaste, 12);
    expect(quality.written.meanStepTokenImbalance).toBeCloseTo(byId.meanStepTokenImbalance, 12);
  });

  it("above the cap, a random sample of whole steps gives the full shuffle's baseline within sampling error", () => {
    const fixture = plannedFixture(60_000, { strategy: 'balanced', seed: 8, worldSize: 16, perDeviceBatchSize: 4 });
    const [shards] = fixture.epochs as [EpochShards];
    const full = measureEpochQuality(shards, 4).randomOrder;
    const sampled = measureEpochQuality(shards, 4, 16 * 4 * 200).randomOrder;
    expect(sampled.stepsPerRankMax).toBe(200);
    expect(wastedSlotFraction(sampled)).toBeCloseTo(wastedSlotFraction(full), 1);
    expect(sampled.meanStepTokenImbalance / full.meanStepTokenImbalance).toBeGreaterThan(0.85);
    expect(sampled.meanStepTokenImbalance / full.meanStepTokenImbalance).toBeLessThan(1.15);
  });

  it('wasted slot fraction is padding ÷ (longest × rows) per micro-batch, summed', () => {
    // One rank, B = 2: [10, 30] → 20 of 60 slots wasted; [5, 5] → 0 of 10.
    const shards: EpochShards = {
      epoch: 0,
      ranks: [
        columnsOf(0, [
          [10, 30],
          [5, 5],
        ]),
      ],
      declared: { droppedIds: new Int32Array(0), paddingEntries: 0 },
    };
    const quality = measureEpochQuality(shards, 2);
    expect(wastedSlotFraction(quality.written)).toBeCloseTo(20 / 70);
  });
});

describe('longest micro-batch first', () => {
  it('finds the longest sample by |length| and where it is; ties with the first step count as holding', () => {
    const ranks = [
      columnsOf(0, [
        [10, -50],
        [70, 5],
      ]),
      columnsOf(1, [
        [20, 30],
        [-70, 1],
      ]),
    ];
    expect(findLongestFirst(ranks)).toEqual({ holds: false, longest: { sampleId: 2, length: 70, rank: 0, step: 1 }, firstStepLongest: 50 });
    const tied = [
      columnsOf(0, [
        [10, 70],
        [70, 5],
      ]),
    ];
    expect(findLongestFirst(tied).holds).toBe(true);
  });

  it('fails for balanced, which promises it, and only warns for a parity strategy', () => {
    expect(promisesLongestFirst('balanced@1')).toBe(true);
    expect(promisesLongestFirst('xtuner-length-grouped@1')).toBe(false);
    for (const strategy of ['balanced', 'xtuner-length-grouped']) {
      const fixture = plannedFixture(500, { strategy, seed: 1, worldSize: 2, perDeviceBatchSize: 2 });
      const [shards] = fixture.epochs as [EpochShards];
      // Move step 0 of every rank to the end by swapping rows of step 0 and the last step.
      const swapped = shards.ranks.reduce<EpochShards>((epoch, _, rank) => withRank(epoch, rank, (c) => swapSteps(c, 0, c.stepStarts.length - 2)), shards);
      const longest = findLongestFirst(shards.ranks).longest!;
      const moved = findLongestFirst(swapped.ranks);
      if (moved.holds) continue; // the longest sample was also in the last step: nothing to test
      const report = auditShards(fixture.run, [swapped], NO_EXTRAS, fixture.indexColumns);
      const status = report.checks.find((c) => c.id === 'longest-first')!.status;
      expect(status).toBe(strategy === 'balanced' ? 'fail' : 'warn');
      expect(moved.longest!.length).toBe(longest.length);
    }
  });
});

function swapSteps(columns: RankShardColumns, a: number, b: number): RankShardColumns {
  const B = columns.stepStarts[1]! - columns.stepStarts[0]!;
  for (const array of [columns.sampleIds, columns.lengths, columns.totalTokens, columns.trainableTokens, columns.modality, columns.isPadding]) {
    for (let slot = 0; slot < B; slot++) {
      const [i, j] = [rowAt(columns, a, slot), rowAt(columns, b, slot)];
      if (j >= array.length) continue;
      [array[i], array[j]] = [array[j]!, array[i]!];
    }
  }
  return columns;
}

describe('epochs ordered differently', () => {
  it('measures same-position overlap pairwise and flags identical orders', () => {
    const orders = [
      { epoch: 0, ranks: [Int32Array.from([0, 1]), Int32Array.from([2, 3])] },
      { epoch: 1, ranks: [Int32Array.from([1, 0]), Int32Array.from([2, 3])] },
      { epoch: 2, ranks: [Int32Array.from([0, 1]), Int32Array.from([2, 3])] },
    ];
    expect(compareEpochOrders(orders)).toEqual([
      { epochA: 0, epochB: 1, samePositionFraction: 0.5, identical: false },
      { epochA: 0, epochB: 2, samePositionFraction: 1, identical: true },
      { epochA: 1, epochB: 2, samePositionFraction: 0.5, identical: false },
    ]);
  });

  it("an epoch repeating another epoch's order is a warning, not a failure", () => {
    const fixture = plannedFixture(400, { strategy: 'balanced', seed: 2, epochs: 2, worldSize: 2, perDeviceBatchSize: 2 });
    const [e0] = fixture.epochs as [EpochShards];
    const repeat: EpochShards = { ...e0, epoch: 1, ranks: e0.ranks.map((c) => c && { ...c, facts: { ...c.facts, epoch: 1 } }) };
    const report = auditShards(fixture.run, [e0, repeat], NO_EXTRAS, fixture.indexColumns);
    const check = report.checks.find((c) => c.id === 'epochs-differ')!;
    expect([check.status, check.summary, report.passed]).toEqual(['warn', 'epoch 1: iterates every rank in exactly the order of epoch 0', true]);
    expect(auditShards(fixture.run, fixture.epochs, NO_EXTRAS).epochOrder[0]!.samePositionFraction).toBeLessThan(0.05);
  });
});

describe('length histogram by modality', () => {
  it('counts each real row once per modality in 1-2-5 bins; padding rows are not counted', () => {
    expect([niceWidth(0.3), niceWidth(13), niceWidth(130), niceWidth(4100)]).toEqual([1, 20, 200, 5000]);
    const fixture = plannedFixture(2000, { strategy: 'balanced', seed: 4, worldSize: 3, perDeviceBatchSize: 4 });
    const [shards] = fixture.epochs as [EpochShards];
    const histogram = lengthHistogram(0, shards.ranks);
    const sum = (name: string) => histogram.counts[name]!.reduce((a, b) => a + b, 0);
    const textOnly = fixture.index.modality.filter((m) => m === MODALITY_TEXT_ONLY).length;
    expect(sum('text-only')).toBe(textOnly);
    expect(sum('text-only') + sum('image-text') + sum('interleaved')).toBe(2000);
    expect(histogram.bins * histogram.binWidth).toBeGreaterThan(Math.max(...fixture.index.totalTokens));
  });
});

describe('rejects by reason', () => {
  it('groups reasons that differ only in names and numbers, most frequent first', () => {
    expect(reasonClass('image "a/b.jpg": missing image file')).toBe('image "…": missing image file');
    expect(reasonClass('duplicate id "x\\"y" (first at byte 1234)')).toBe('duplicate id "…" (first at byte N)');
    const counted = countRejectsByReason([
      { source: 's2', reason: 'image "1.jpg": missing image file' },
      { source: 's1', reason: 'record is null, not a JSON object' },
      { source: 's1', reason: 'image "2.jpg": missing image file' },
    ]);
    expect(counted).toEqual([
      { reason: 'image "…": missing image file', count: 2, example: 'image "1.jpg": missing image file', sources: ['s1', 's2'] },
      { reason: 'record is null, not a JSON object', count: 1, example: 'record is null, not a JSON object', sources: ['s1'] },
    ]);
  });
});

describe('the report', () => {
  const fixture = plannedFixture(1500, { strategy: 'balanced', seed: 9, epochs: 2, worldSize: 4, perDeviceBatchSize: 2 });
  const rejects = [{ source: 'a.json', reason: 'record is null, not a JSON object' }];
  const make = (): AuditReport => auditShards(fixture.run, fixture.epochs, { files: { verified: 8, bytes: 1234 }, rejects }, fixture.indexColumns);

  it('parses with its schema, and the same inputs give the same JSON', () => {
    const report = make();
    expect(auditReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(JSON.stringify(make())).toBe(JSON.stringify(report));
  });

  it('gives the coverage unsynchronised per-rank seeds would have: 1 − (1 − 1/W)^W', () => {
    expect(make().context.unsynchronisedSeedsCoverage).toBeCloseTo(1 - 0.75 ** 4, 6);
    const wide = auditShards({ ...fixture.run, worldSize: 1024 }, [], { files: { verified: 0, bytes: 0 }, rejects: [] });
    expect(wide.context.unsynchronisedSeedsCoverage).toBeCloseTo(0.6323, 3);
  });

  it('carries rejects by reason and per-epoch figures re-derived from the shards', () => {
    const report = make();
    expect(report.rejects).toEqual({
      total: 1,
      byReason: [{ reason: 'record is null, not a JSON object', count: 1, example: rejects[0]!.reason, sources: ['a.json'] }],
    });
    expect(report.epochs.map((e) => e.coverage)).toEqual([1, 1]);
    expect(report.epochs[0]!.quality!.written.wastedSlotFraction).toBeLessThan(report.epochs[0]!.quality!.randomOrder.wastedSlotFraction);
  });
});
