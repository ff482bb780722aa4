import { Mt19937 } from '../rng/mt19937.js';
import { assertEpoch } from '../strategies/blocks/assert-epoch.js';
import { parseBalancedPackSpec, type BalancedPackSpec } from './balanced-pack-spec.js';
import { balancedPackSeedKey } from './balanced-pack-seed.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import { packSamples } from './pack-samples.js';
import { layOutPackedSteps } from './packed-step-layout.js';

/** Strategy id written into every balanced-pack output. */
export const BALANCED_PACK_ID = 'balanced-pack@1';

/**
 * Plan one epoch of packs with `balanced-pack@1`, from one stream shared by all ranks:
 * 1. pack the samples (pack-samples.ts): seeded mega-batches, each packed close to `maxTokens`
 *    by largest-first bin completion; over-limit samples alone or rejected, as the spec says;
 * 2. lay the packs out in steps of one pack per rank, balanced by compute cost, the costliest
 *    step first, every rank the same number of steps (packed-step-layout.ts).
 * `totalTokens[i]` is sample i's text + image tokens (≥ 1); `numImages` is needed only with a cap.
 * Same inputs, same arrays.
 */
export function planBalancedPack(totalTokens: Int32Array, numImages: ArrayLike<number> | null, spec: BalancedPackSpec, epoch: number): PackedEpochPlan {
  // Re-validated here too, so a hand-built spec (maxTokens 0, a cap of 0) fails as typed input.
  const resolved = parseBalancedPackSpec(spec);
  assertEpoch(epoch);
  const rng = Mt19937.fromKey(balancedPackSeedKey(resolved.seed, epoch));
  const packs = packSamples(totalTokens, numImages, resolved, rng);
  const limits = { maxTokens: resolved.maxTokens, imageCap: resolved.maxImagesPerPack, numImages, costLinearWeight: resolved.costLinearWeight };
  const layout = layOutPackedSteps(packs, totalTokens, resolved.worldSize, limits, rng);
  return {
    strategyId: BALANCED_PACK_ID,
    epoch,
    worldSize: resolved.worldSize,
    maxTokens: resolved.maxTokens,
    ...layout,
    packStarts: layout.stepStarts,
    rejectedIds: packs.rejectedIds,
    rejectedReasons: packs.rejectedReasons,
  };
}
