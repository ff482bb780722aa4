import { InvalidInputError } from '../errors.js';
import type { EpochPlan } from './epoch-plan.js';
import { maxStepCount } from './resume.js';
import type { BalancedSpec } from '../strategies/balanced/balanced-spec.js';
import { balancedSeedKey } from '../strategies/balanced/seed-key.js';
import { planBalanced } from '../strategies/balanced/plan-balanced.js';

/** Marks the reshard stream apart from every epoch stream ("rsh1"). */
const RESHARD_TAG = 0x72736831;

/** An elastic resume: the epoch so far ran under `previous`; continue it under `spec`. */
export interface ReshardRequest {
  /** The full plan of this epoch under the old world size (any strategy). */
  readonly previous: EpochPlan;
  /** Micro-steps every old rank has finished (ranks move in lockstep). */
  readonly consumedSteps: number;
  /** The new world: worldSize, perDeviceBatchSize, gradientAccumulation may all change. */
  readonly spec: BalancedSpec;
}

/**
 * Plan the rest of an epoch for a new world size with no sample repeated or lost: the samples of
 * the old plan not yet consumed (padding repeats of consumed samples excluded) are planned with
 * balanced@1 on a stream keyed by (seed, epoch, step, old world size). The remainder is always
 * padded, never dropped, so nothing the epoch owes is lost; repeats are flagged as padding.
 * Step numbers of the result start at 0 (the new job's first step after the switch).
 */
export function reshardEpoch(signedLengths: Int32Array, request: ReshardRequest): EpochPlan {
  const { previous, consumedSteps, spec } = request;
  const steps = maxStepCount(previous);
  if (!Number.isInteger(consumedSteps) || consumedSteps < 0 || consumedSteps >= steps) {
    throw new InvalidInputError('consumedSteps', `is ${consumedSteps}; a reshard continues an unfinished epoch, so use 0..${steps - 1}`);
  }
  const remaining = remainingSamples(previous, consumedSteps, signedLengths.length);
  if (remaining.length === 0) {
    throw new InvalidInputError('consumedSteps', `after ${consumedSteps} steps only padding repeats are left; the epoch is effectively done`);
  }
  const rngKey = balancedSeedKey(spec.seed, previous.epoch, [RESHARD_TAG, consumedSteps, previous.worldSize]);
  if (!hasRepeats(remaining)) return planBalanced(signedLengths, spec, previous.epoch, { sampleIds: remaining, rngKey, remainder: 'pad' });
  // A mixed epoch owes some samples more than once: plan entries (positions), as planMixedEpoch
  // does, so a repeat the mixture drew is not mistaken for padding; then map back to sample ids.
  const lengths = Int32Array.from(remaining, (id) => signedLengths[id]!);
  const byPosition = planBalanced(lengths, spec, previous.epoch, { sampleIds: null, rngKey, remainder: 'pad' });
  return { ...byPosition, sampleIds: Int32Array.from(byPosition.sampleIds, (position) => remaining[position]!), droppedIds: new Int32Array(0) };
}

function hasRepeats(ascending: Int32Array): boolean {
  for (let i = 1; i < ascending.length; i++) if (ascending[i] === ascending[i - 1]) return true;
  return false;
}

/**
 * What the old plan still owed after `consumedSteps` steps, ascending, each sample as often as it
 * is owed: its non-padding entries in the plan (once, or as often as a mixture drew it) less its
 * entries in the consumed steps (a consumed padding repeat counts too: the sample was trained on).
 */
export function remainingSamples(previous: EpochPlan, consumedSteps: number, sampleCount: number): Int32Array {
  const owed = new Int32Array(sampleCount);
  for (let p = 0; p < previous.sampleIds.length; p++) if (previous.isPadding[p] === 0) owed[previous.sampleIds[p]!]! += 1;
  const cut = consumedSteps * previous.microBatchSize;
  for (let r = 0; r < previous.worldSize; r++) {
    const start = previous.rankStarts[r]!;
    const end = Math.min(start + cut, previous.rankStarts[r + 1]!);
    for (let p = start; p < end; p++) owed[previous.sampleIds[p]!]! -= 1;
  }
  let total = 0;
  for (let id = 0; id < sampleCount; id++) total += Math.max(0, owed[id]!);
  const out = new Int32Array(total);
  let k = 0;
  for (let id = 0; id < sampleCount; id++) for (let c = owed[id]!; c > 0; c--) out[k++] = id;
  return out;
}
