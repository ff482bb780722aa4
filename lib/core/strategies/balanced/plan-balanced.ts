import { Mt19937 } from '../../rng/mt19937.js';
import { shufflePairsInto } from '../../rng/shuffle.js';
import { SegmentSorter } from '../../sort/segment-sorter.js';
import { InvalidInputError } from '../../errors.js';
import type { EpochPlan } from '../../plan/epoch-plan.js';
import type { BalancedSpec } from './balanced-spec.js';
import { chooseRemainder } from './remainder.js';
import { buildPopulation } from './population.js';
import { layoutMicroSteps } from './micro-step-layout.js';
import { LptRankAssigner } from './lpt-rank-assignment.js';
import { rankMajorFlags, stepMajorToRankMajor } from '../../plan/transpose.js';
import { flagRepeatsInTrainingOrder } from './flag-repeats.js';
import { defaultMegaBatchMult } from '../blocks/default-mega-batch-mult.js';

/** Strategy id written into every balanced output. */
export const BALANCED_ID = 'balanced@1';

/** What to plan: the whole index, or (for a reshard) the samples an epoch has left. */
export interface BalancedPopulation {
  /** Sample ids to plan, ascending; null = every sample 0..n−1. */
  readonly sampleIds: Int32Array | null;
  /** init_by_array key of the stream (see balancedSeedKey). */
  readonly rngKey: Uint32Array;
  readonly remainder: 'pad' | 'drop';
  /**
   * sampleIds may repeat an id (a mixture's drawn multiset): the plan must equal planning the
   * entries as positions and mapping them back to ids, so a drawn repeat is never padding. The
   * array is consumed (its memory reused as scratch).
   */
  readonly multiset?: boolean;
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
  const size = population0.sampleIds?.length ?? signedLengths.length;
  const choice = chooseRemainder(size, W * B * GA, population0.remainder, rng);
  if (population0.multiset === true && repeatsShareAnId(population0.sampleIds!, choice.repeatPositions)) {
    return planPositionsOf(signedLengths, spec, epoch, population0);
  }
  assertFitsInt32(size + choice.repeatPositions.length);
  // Two buffer pairs alternate, so each phase moves the data once and nothing is copied back:
  // population → (shuffle) → scratch → (sort) → population → (deal) → scratch → (transpose) → population.
  const population = buildPopulation(signedLengths, population0.sampleIds, choice, spec.groupByModality);
  const { ids, magnitudes, firstSegmentLength, maxMagnitude } = population;
  // Before scratchFor may reuse the members' memory.
  const droppedIds = idsAt(population0.sampleIds, choice.dropPositions).sort();
  const scratchIds = scratchFor(population0, ids.length);
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
 * The ids' scratch buffer. A multiset's members were read in full by buildPopulation and are the
 * planner's own (planMixedEpoch drew them for this call), and the shuffle overwrites every slot
 * before anything reads it: reuse their memory (and the spare room planMixedEpoch leaves after them for the remainder's
 * padding) rather than fault in a fresh array of the epoch's size.
 */
function scratchFor(population0: BalancedPopulation, size: number): Int32Array {
  const members = population0.sampleIds;
  const room = members === null ? 0 : (members.buffer.byteLength - members.byteOffset) / Int32Array.BYTES_PER_ELEMENT;
  return population0.multiset === true && members !== null && room >= size ? new Int32Array(members.buffer, members.byteOffset, size) : new Int32Array(size);
}

/**
 * Whether the remainder repeats two different entries of one sample. Ids carry the repeat marks,
 * so planning ids directly would resolve those copies as one group (one real, the rest padding)
 * where planning positions resolves each entry's copies apart: such an epoch plans positions.
 */
function repeatsShareAnId(members: Int32Array, repeatPositions: Int32Array): boolean {
  for (let i = 1; i < repeatPositions.length; i++) {
    const previous = repeatPositions[i - 1]!;
    if (repeatPositions[i] !== previous && members[repeatPositions[i]!] === members[previous]) return true;
  }
  return false;
}

/** Plan a multiset's entries as positions (lengths gathered), then map them back to sample ids. */
function planPositionsOf(signedLengths: Int32Array, spec: BalancedSpec, epoch: number, population0: BalancedPopulation): EpochPlan {
  const members = population0.sampleIds!;
  const lengths = members.map((id) => signedLengths[id]!);
  const byPosition = planBalanced(lengths, spec, epoch, { sampleIds: null, rngKey: population0.rngKey, remainder: population0.remainder });
  const sampleIds = byPosition.sampleIds;
  for (let i = 0; i < sampleIds.length; i++) sampleIds[i] = members[sampleIds[i]!]!;
  return { ...byPosition, droppedIds: idsAt(members, byPosition.droppedIds).sort() };
}

function idsAt(members: Int32Array | null, positions: Int32Array): Int32Array {
  return members ? positions.map((p) => members[p]!) : positions.slice();
}

function assertFitsInt32(entryCount: number): void {
  if (entryCount > 2 ** 31 - 1) {
    throw new InvalidInputError('lengths', `${entryCount} planned entries exceed 2^31 − 1; split the corpus into several indices`);
  }
}
