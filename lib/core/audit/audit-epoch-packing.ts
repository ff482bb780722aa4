import type { ShardPacking } from '../shards/shard-packing.js';
import type { CheckLedger } from './check-catalog.js';
import { auditEpochPacks, FILL_BIN_WIDTH } from './packed-packs.js';
import type { EpochShards } from './rank-shard-columns.js';
import type { EpochReport } from './report-schema.js';

/**
 * The packed-run part of an epoch's audit: the pack checks recorded in `ledger` (token-level ones
 * as the audit partials found them), and the epoch's packing figures for the report.
 * `numImages` (the index's, by sample id) enables the image-cap check.
 */
export function auditEpochPacking(
  shards: EpochShards,
  packing: ShardPacking,
  ledger: CheckLedger,
  numImages: ArrayLike<number> | undefined,
): NonNullable<EpochReport['packing']> {
  const packs = auditEpochPacks(shards, packing, numImages);
  ledger.record('pack-structure', packs.structure);
  ledger.record('pack-budget', packs.budget);
  if (packs.imageCap !== null) ledger.record('pack-image-cap', packs.imageCap);
  if (shards.packedTokens !== undefined) {
    ledger.record('pack-positions', shards.packedTokens.positions);
    ledger.record('boundary-labels', shards.packedTokens.labels);
  }
  const { figures } = packs;
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return {
    maxTokens: packing.maxTokens,
    maxImagesPerPack: packing.maxImagesPerPack,
    overLength: packing.overLength,
    packs: figures.packs,
    efficiency: round(figures.efficiency),
    ownPackOverBudget: figures.ownPackOverBudget,
    meanStepCostImbalance: round(figures.meanStepCostImbalance),
    costLinearWeight: packing.costLinearWeight,
    worstStepCost: { ...figures.worstStepCost, imbalance: round(figures.worstStepCost.imbalance) },
    fill: { binWidth: FILL_BIN_WIDTH, counts: figures.fillCounts },
  };
}
