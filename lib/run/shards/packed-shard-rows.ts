/**
 * Assemble's packed half: a rank's shard rows (one per sample, in plan order) turned into a packed
 * shard's rows — the `pack` column, labels masked at pack boundaries and `position_ids` — with the
 * plan file's step offsets as the record batches. Pure column work (lib/core/shards); the plan's
 * packing facts come from the plan-rank file (layout, budget) and the plan manifest's spec.
 */
import type { DecodedPlanRank, ShardPacking, ShardRows } from '../../arrow/index.js';
import { CorruptArtifactError } from '../../core/errors.js';
import { DEFAULT_COST_LINEAR_WEIGHT } from '../../core/packing/balanced-pack-spec.js';
import type { PlanManifest } from '../../core/plan/manifest.js';
import { packInStepColumn, type PackedRankLayout } from '../../core/shards/packed-rank-layout.js';
import { maskPackBoundaryLabels, packedPositionIds } from '../../core/shards/packed-token-columns.js';

/** Whether a decoded plan-rank file is of a packed plan. */
export function isPackedPlanRank(plan: DecodedPlanRank): boolean {
  return plan.metadata.layout === 'packed';
}

/**
 * The packing facts a packed shard states (`megashard.packing`, and the shard manifests): the
 * budget from the plan file, the rest from the plan's resolved spec (`spec.packing`), defaults
 * filled in where a packer has no such field (XTuner's has no linear cost weight).
 */
export function shardPackingOf(root: PlanManifest, plan: DecodedPlanRank, where: string): ShardPacking {
  const block = (root.spec['packing'] ?? {}) as Record<string, unknown>;
  const maxTokens = plan.metadata.maxTokens;
  if (maxTokens === null || (block['maxTokens'] !== undefined && block['maxTokens'] !== maxTokens)) {
    throw new CorruptArtifactError(
      where,
      `states pack budget ${maxTokens}; the plan manifest's spec.packing.maxTokens is ${String(block['maxTokens'])}: re-plan`,
    );
  }
  const cap = block['maxImagesPerPack'];
  const weight = block['costLinearWeight'];
  return {
    maxTokens,
    maxImagesPerPack: typeof cap === 'number' ? cap : null,
    overLength: block['overLength'] === 'reject' ? 'reject' : 'own-pack',
    costLinearWeight: typeof weight === 'number' ? weight : DEFAULT_COST_LINEAR_WEIGHT,
  };
}

/** The rank's step and pack offsets as the plan file gives them. */
export function packedLayoutOf(plan: DecodedPlanRank): PackedRankLayout {
  return { firstStep: plan.metadata.firstStep, stepStarts: Int32Array.from(plan.stepStarts), packStarts: Int32Array.from(plan.packStarts) };
}

/** A rank's rows as a packed shard's: pack numbers, boundary-masked labels, position ids. */
export function toPackedShardRows(rows: ShardRows, layout: PackedRankLayout): ShardRows {
  const pack = packInStepColumn(layout);
  const { tokens } = rows;
  if (!tokens) return { ...rows, pack };
  return {
    ...rows,
    pack,
    tokens: {
      ...tokens,
      labels: maskPackBoundaryLabels(tokens.labels, tokens.tokenOffsets, layout.packStarts),
      positionIds: packedPositionIds(tokens),
    },
  };
}
