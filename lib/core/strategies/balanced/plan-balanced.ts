import { Mt19937 } from '../../rng/mt19937.js';
import { shufflePairsInto } from '../../rng/shuffle.js';
import { SegmentSorter } from '../../sort/segment-sorter.js';
import { InvalidInputError } from '../../errors.js';
import type { EpochPlan } from '../../plan/epoch-plan.js';
import type { BalancedSpec } from './balanced-spec.js';
import { chooseRemainder } from './remainder.js';
import { buildPopulation } from './population.js';
import { readWhole, type DrawnMultiset } from '../../mixture/drawn-multiset.js';
import { layoutMicroSteps } from './micro-step-layout.js';
import { LptRankAssigner } from './lpt-rank-assignment.js';
import { rankMajorFlags, stepMajorToRankMajor } from '../../plan/transpose.js';
import { flagRepeatsInTrainingOrder } from './flag-repeats.js';
import { defaultMegaBatchMult } from '../blocks/default-mega-batch-mult.js';

/** Strategy id written into every balanced output. */
export const BALANCED_ID = 'balanced@1';

/** What to plan: the whole index, (for a reshard) the samples an epoch has left, or a mixture's draw. */
export interface BalancedPopulation {
  /**
   * Sample ids to plan, ascending; null = every sample 0..n−1. A drawn multiset (a mixture's
   * epoch) may repeat an id: the plan must equal planning its entries as positions and mapping
   * them back to ids, so a drawn repeat is never padding. It is read once, piece by piece.
   */
  readonly sampleIds: Int32Array | DrawnMultiset | null;
  /** init_by_array key of the stream (see balancedSeedKey). */
  readonly rngKey: Uint32Array;
  readonly remainder: 'pad' | 'drop';
}

/**
 * Plan one epoch with `balanced@1`, from one stream shared by all ranks. Steps:
 * 1. remainder policy: choose which samples to drop or repeat (whole optimizer steps per rank);
 * 2. lay out (id, |length|) pairs, image–text first, and shuffle each modality segment;
 * 3. length-group mega-batches into sorted micro-step groups, shuffle them, longest first;
 * 4. deal each micro-step group to ranks, balancing token totals;
 * 5. flag each repeat after its first occurrence in training order as padding.
 */
export function planBalanced(signedLengths: Int32Array, spec: BalancedSpec, epoch: number, population0: BalancedPopulation): EpochPlan {
  const { worldSize: W, perDeviceBatchSize: B, gradientAccumulation: GA } = spec;
  const rng = Mt19937.fromKey(population0.rngKey);
  const members = population0.sampleIds;
  const size = members === null ? signedLengths.length : members instanceof Int32Array ? members.length : members.total;
  const choice = chooseRemainder(size, W * B * GA, population0.remainder, rng);
  assertFitsInt32(size + choice.repeatPositions.length);
  // Two buffer pairs alternate, so each phase moves the data once and nothing is copied back:
  // population → (shuffle) → scratch → (sort) → population → (deal) → scratch → (transpose) → population.
  const population = buildPopulation(signedLengths, members, choice, spec.groupByModality);
  const drawn = members === null || members instanceof Int32Array ? null : members;
  if (drawn !== null && repeatsShareAnId(choice.repeatPositions, population.repeatedIds)) {
    return planPositionsOf(signedLengths, spec, epoch, drawn, population0);
  }
  const { ids, magnitudes, firstSegmentLength, maxMagnitude } = population;
  const droppedIds = population.droppedIds.sort();
  const scratchIds = new Int32Array(ids.length);
  const scratchMagnitudes = new Int32Array(ids.length);
  shufflePairsInto(ids, magnitudes, scratchIds, scratchMagnitudes, 0, firstSegmentLength, rng);
  shufflePairsInto(ids, magnitudes, scratchIds, scratchMagnitudes, firstSegmentLength, ids.length, rng);
  const groupSize = W * B;
  const megaBatchMult = spec.megaBatchMult ?? defaultMegaBatchMult(ids.length, groupSize);
  const groupStarts = layoutMicroSteps(
    { ids: scratchIds, magnitudes: scratchMagnitudes, sortedIds: ids, sortedMagnitudes: magnitudes, firstSegmentLength, groupSize, megaBatchMult },
    new SegmentSorter(),
    rng,
  );
  const stepsPerRank = groupStarts.length;
  const stepMajor = scratchIds;
  const assigner = new LptRankAssigner(W, B, maxMagnitude);
  for (let step = 0; step < stepsPerRank; step++) {
    assigner.assignStep(ids, magnitudes, groupStarts[step]!, stepMajor, step * groupSize);
  }
  const paddingPositions = flagRepeatsInTrainingOrder(stepMajor);
  const sampleIds = stepMajorToRankMajor(stepMajor, ids, W, B);
  const isPadding = rankMajorFlags(paddingPositions, ids.length, W, B);
  const rankStarts = new Float64Array(W + 1);
  for (let r = 0; r <= W; r++) rankStarts[r] = r * stepsPerRank * B;
  return { strategyId: BALANCED_ID, epoch, worldSize: W, microBatchSize: B, sampleIds, rankStarts, isPadding, droppedIds };
}

/**
 * Whether the remainder repeats two different entries of one sample. Ids carry the repeat marks,
 * so planning ids directly would resolve those copies as one group (one real, the rest padding)
 * where planning positions resolves each entry's copies apart: such an epoch plans positions.
 * Rare (the padding is under one optimizer step of entries), so it is checked after the layout
 * pass, from the ids that pass read at the repeat positions, rather than with a pass of its own.
 */
function repeatsShareAnId(repeatPositions: Int32Array, repeatedIds: Int32Array): boolean {
  for (let i = 1; i < repeatPositions.length; i++) {
    if (repeatPositions[i] !== repeatPositions[i - 1] && repeatedIds[i] === repeatedIds[i - 1]) return true;
  }
  return false;
}

/** Plan a multiset's entries as positions (drawn whole, lengths gathered), then map them back to sample ids. */
function planPositionsOf(signedLengths: Int32Array, spec: BalancedSpec, epoch: number, drawn: DrawnMultiset, population0: BalancedPopulation): EpochPlan {
  const members = readWhole(drawn);
  const lengths = members.map((id) => signedLengths[id]!);
  const byPosition = planBalanced(lengths, spec, epoch, { sampleIds: null, rngKey: population0.rngKey, remainder: population0.remainder });
  const sampleIds = byPosition.sampleIds;
  for (let i = 0; i < sampleIds.length; i++) sampleIds[i] = members[sampleIds[i]!]!;
  return { ...byPosition, droppedIds: byPosition.droppedIds.map((p) => members[p]!).sort() };
}

function assertFitsInt32(entryCount: number): void {
  if (entryCount > 2 ** 31 - 1) {
    throw new InvalidInputError('lengths', `${entryCount} planned entries exceed 2^31 − 1; split the corpus into several indices`);
  }
}
