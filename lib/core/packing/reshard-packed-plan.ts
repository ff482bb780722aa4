import { InvalidInputError } from '../errors.js';
import { Mt19937 } from '../rng/mt19937.js';
import type { BalancedPackShardSpec } from '../spec/packing-spec.js';
import { balancedPackSeedKey } from './balanced-pack-seed.js';
import { packCosts } from './pack-cost.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import { layOutPackedSteps } from './packed-step-layout.js';
import { BALANCED_PACK_ID } from './plan-balanced-pack.js';

/** Marks the packed reshard stream apart from every epoch stream ("rsp1"). */
const PACKED_RESHARD_TAG = 0x72737031;

/** An elastic resume of a packed epoch: it ran under `previous` for `consumedSteps` steps; continue under `spec`. */
export interface PackedReshardRequest {
  readonly previous: PackedEpochPlan;
  readonly consumedSteps: number;
  /** The new world (worldSize may change); its packing block must be the previous plan's. */
  readonly spec: BalancedPackShardSpec;
}

/**
 * Continue a packed epoch on another world size with nothing repeated or lost: the packs the old
 * plan had not reached (its declared repeats left out) keep their members and are laid out again
 * with balanced-pack@1's step layout (cost-balanced steps of W, costliest first, short last step
 * completed by flagged repeats) on a stream keyed by (seed, epoch, consumed steps, old W). Steps
 * of the result count from 0, the new job's first step.
 */
export function reshardPackedEpoch(totalTokens: Int32Array, numImages: ArrayLike<number>, request: PackedReshardRequest): PackedEpochPlan {
  const { previous, consumedSteps, spec } = request;
  if (!Number.isInteger(consumedSteps) || consumedSteps < 0 || consumedSteps >= previous.stepCount) {
    throw new InvalidInputError('consumedSteps', `is ${consumedSteps}; a reshard continues an unfinished epoch, so use 0..${previous.stepCount - 1}`);
  }
  if (spec.packing.maxTokens !== previous.maxTokens) {
    throw new InvalidInputError('spec.packing.maxTokens', `is ${spec.packing.maxTokens}; the plan being continued packed to ${previous.maxTokens}: keep it`);
  }
  const packs = remainingPacks(previous, consumedSteps);
  if (packs.packStarts.length === 1) {
    throw new InvalidInputError('consumedSteps', `after ${consumedSteps} steps only padding repeats are left; the epoch is effectively done`);
  }
  const { costLinearWeight, maxImagesPerPack } = spec.packing;
  const costed = { ...packs, packCosts: packCosts(packs.members, packs.packStarts, totalTokens, costLinearWeight) };
  const rng = Mt19937.fromKey(Uint32Array.of(...balancedPackSeedKey(spec.seed, previous.epoch), PACKED_RESHARD_TAG, consumedSteps, previous.worldSize));
  const limits = { maxTokens: previous.maxTokens, imageCap: maxImagesPerPack, numImages, costLinearWeight };
  const layout = layOutPackedSteps(costed, totalTokens, spec.worldSize, limits, rng);
  return {
    strategyId: BALANCED_PACK_ID,
    epoch: previous.epoch,
    worldSize: spec.worldSize,
    maxTokens: previous.maxTokens,
    ...layout,
    packStarts: layout.stepStarts,
    rejectedIds: new Int32Array(0),
    rejectedReasons: new Uint8Array(0),
  };
}

/** The old plan's packs from step `consumedSteps` on, every rank, repeats left out, members kept in order. */
function remainingPacks(previous: PackedEpochPlan, consumedSteps: number): { members: Int32Array; packStarts: Int32Array } {
  const starts: number[] = [0];
  const members: number[] = [];
  let rank = 0;
  // Packs and ranks are both in row order: one walk, the rank advanced as the rows pass its end.
  for (let p = 0; p + 1 < previous.packStarts.length; p++) {
    const start = previous.packStarts[p]!;
    const end = previous.packStarts[p + 1]!;
    while (rank < previous.worldSize && start >= previous.rankStarts[rank + 1]!) rank++;
    if (rank === previous.worldSize || end === start || previous.isPadding[start]) continue;
    if (start < previous.stepStarts[rank * previous.stepCount + consumedSteps]!) continue;
    for (let j = start; j < end; j++) members.push(previous.sampleIds[j]!);
    starts.push(members.length);
  }
  return { members: Int32Array.from(members), packStarts: Int32Array.from(starts) };
}
