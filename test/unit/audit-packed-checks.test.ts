import { describe, expect, it } from 'vitest';
import { auditEpochPacks } from '../../lib/core/audit/packed-packs.js';
import { checkPackedTokens } from '../../lib/core/audit/packed-tokens.js';
import type { EpochShards, RankShardColumns } from '../../lib/core/audit/rank-shard-columns.js';
import { planPackingEfficiency } from '../../lib/core/packing/packed-plan-measures.js';
import { planBalancedPack } from '../../lib/core/packing/plan-balanced-pack.js';
import type { PackedEpochPlan } from '../../lib/core/packing/packed-epoch-plan.js';
import { packedRankLayout } from '../../lib/core/shards/packed-rank-layout.js';
import { maskPackBoundaryLabels, packedPositionIds } from '../../lib/core/shards/packed-token-columns.js';
import type { ShardPacking } from '../../lib/core/shards/shard-packing.js';

const N = 300;
const tokens = Int32Array.from({ length: N }, (_, i) => 20 + ((i * 37) % 180));
const images = Uint16Array.from({ length: N }, (_, i) => i % 3);
const PACKING: ShardPacking = { maxTokens: 512, maxImagesPerPack: 8, overLength: 'own-pack', costLinearWeight: 0 };
const plan = planBalancedPack(
  tokens,
  images,
  { maxTokens: 512, maxImagesPerPack: 8, worldSize: 4, seed: 3n, megaBatchSamples: 100, costLinearWeight: 0 } as never,
  0,
);

/** What the audit reads of each rank of a packed plan (as the shards would state it). */
function shardsOf(packed: PackedEpochPlan, totalTokens = tokens): EpochShards {
  const ranks = Array.from({ length: packed.worldSize }, (_, rank): RankShardColumns => {
    const [from, to] = [packed.rankStarts[rank]!, packed.rankStarts[rank + 1]!];
    const ids = packed.sampleIds.subarray(from, to);
    const layout = packedRankLayout(packed, rank);
    return {
      facts: { epoch: 0, rank, worldSize: packed.worldSize, microBatchSize: 1, firstStep: 0 },
      stepStarts: layout.stepStarts,
      packStarts: layout.packStarts,
      sampleIds: ids,
      lengths: Int32Array.from(ids, (id) => totalTokens[id]!),
      totalTokens: Int32Array.from(ids, (id) => totalTokens[id]!),
      trainableTokens: new Int32Array(ids.length),
      modality: new Uint8Array(ids.length),
      isPadding: packed.isPadding.subarray(from, to),
    };
  });
  return { epoch: 0, ranks, declared: { droppedIds: new Int32Array(0), paddingEntries: null } };
}

describe('pack checks of the audit', () => {
  it('pass on a balanced-pack plan and measure the plan’s own efficiency', () => {
    const audit = auditEpochPacks(shardsOf(plan), PACKING, images);
    expect([audit.structure.count, audit.budget.count, audit.imageCap!.count]).toEqual([0, 0, 0]);
    expect(audit.figures.efficiency).toBeCloseTo(planPackingEfficiency(plan, tokens), 12);
    expect(audit.figures.fillCounts.reduce((a, b) => a + b, 0)).toBe(audit.figures.packs);
    expect(audit.figures.meanStepCostImbalance).toBeGreaterThanOrEqual(0);
  });

  it('name the epoch, rank, step and pack of a pack over the budget or the image cap', () => {
    const heavier = tokens.slice();
    const [rank, step] = [2, 1];
    const at = plan.stepStarts[rank * plan.stepCount + step]!;
    heavier[plan.sampleIds[at]!] = 600;
    const audit = auditEpochPacks(shardsOf(plan, heavier), PACKING, images);
    expect(audit.budget.findings[0]).toMatchObject({ epoch: 0, rank, step, message: expect.stringMatching(/^pack 0 .* holds \d+ tokens; the budget is 512/) });
    const capped = auditEpochPacks(shardsOf(plan), { ...PACKING, maxImagesPerPack: 1 }, images);
    expect(capped.imageCap!.count).toBeGreaterThan(0);
    expect(capped.imageCap!.findings[0]!.message).toMatch(/images; the cap is 1/);
  });

  it('count a lone over-length sample as the declared own-pack exception, and fail it under reject', () => {
    const long = tokens.slice();
    long[7] = 900;
    const ownPack = planBalancedPack(long, images, { maxTokens: 512, worldSize: 4, seed: 3n, megaBatchSamples: 100, costLinearWeight: 0 } as never, 0);
    const audit = auditEpochPacks(shardsOf(ownPack, long), PACKING, images);
    expect(audit.budget.count).toBe(0);
    expect(audit.figures.ownPackOverBudget).toBeGreaterThanOrEqual(1);
    expect(auditEpochPacks(shardsOf(ownPack, long), { ...PACKING, overLength: 'reject' }, images).budget.findings[0]!.message).toMatch(/rejected/);
  });

  it('flag a pack that crosses a step boundary', () => {
    const shards = shardsOf(plan);
    const rank0 = shards.ranks[0]!;
    const packStarts = Int32Array.from([0, rank0.stepStarts[1]! + 1, ...rank0.packStarts!.subarray(2)]);
    const broken = { ...shards, ranks: [{ ...rank0, packStarts }, ...shards.ranks.slice(1)] };
    expect(auditEpochPacks(broken, PACKING, images).structure.findings[0]).toMatchObject({ epoch: 0, rank: 0, step: 0 });
  });

  it('locate an unmasked boundary label and a position id that does not restart', () => {
    // Two packs of one step: [s0, s1] and [s2]; s1 has an image of 5 tokens.
    const tokenOffsets = Int32Array.from([0, 3, 6, 8]);
    const inputIds = Int32Array.from([1, 2, 3, 4, -200, 5, 6, 7]);
    const imageOffsets = Int32Array.from([0, 0, 1, 1]);
    const imageTokens = Int32Array.from([5]);
    const packStarts = Int32Array.from([0, 2, 3]);
    const labels = maskPackBoundaryLabels(Int32Array.from([-100, 2, 3, 4, -100, 5, 6, 7]), tokenOffsets, packStarts);
    const positionIds = packedPositionIds({ tokenOffsets, inputIds, imageOffsets, imageTokens });
    expect(Array.from(positionIds)).toEqual([0, 1, 2, 0, 1, 6, 0, 1]);
    const rows = {
      epoch: 3,
      rank: 1,
      firstStep: 4,
      stepStarts: [0, 3],
      packStarts,
      sampleIds: Int32Array.from([10, 11, 12]),
      totalTokens: Int32Array.from([3, 7, 2]),
      tokenOffsets,
      inputIds,
      labels,
      positionIds,
      imageOffsets,
      imageTokens,
    };
    const clean = checkPackedTokens(rows);
    expect([clean.positions.count, clean.labels.count]).toEqual([0, 0]);
    const unmasked = labels.slice();
    unmasked[3] = 4;
    const shifted = positionIds.slice();
    shifted[6] = 3;
    const found = checkPackedTokens({ ...rows, labels: unmasked, positionIds: shifted });
    expect(found.labels.findings[0]).toMatchObject({
      epoch: 3,
      rank: 1,
      step: 4,
      message: expect.stringMatching(/^pack 0 sample 11 \(row 1\): first label is 4/),
    });
    expect(found.positions.findings[0]).toMatchObject({ step: 4, message: expect.stringMatching(/^pack 1 sample 12 .*start at 3, not 0/) });
  });
});
