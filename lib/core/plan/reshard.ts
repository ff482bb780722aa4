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
  return planBalanced(signedLengths, spec, previous.epoch, {
    sampleIds: remaining,
    rngKey: balancedSeedKey(spec.seed, previous.epoch, [RESHARD_TAG, consumedSteps, previous.worldSize]),
    remainder: 'pad',
  });
}

/** Distinct samples the old plan still owed after `consumedSteps` steps, ascending. */
export function remainingSamples(previous: EpochPlan, consumedSteps: number, sampleCount: number): Int32Array {
  const state = new Uint8Array(sampleCount); // 0 unseen, 1 consumed, 2 still owed
  const cut = consumedSteps * previous.microBatchSize;
  for (let r = 0; r < previous.worldSize; r++) {
    const start = previous.rankStarts[r]!;
    const end = Math.min(start + cut, previous.rankStarts[r + 1]!);
    for (let p = start; p < end; p++) state[previous.sampleIds[p]!] = 1;
  }
  let owed = 0;
  for (let r = 0; r < previous.worldSize; r++) {
    for (let p = previous.rankStarts[r]! + cut; p < previous.rankStarts[r + 1]!; p++) {
      const id = previous.sampleIds[p]!;
      if (state[id] === 0) {
        state[id] = 2;
        owed++;
      }
    }
  }
  const out = new Int32Array(owed);
  let k = 0;
  for (let id = 0; id < sampleCount; id++) if (state[id] === 2) out[k++] = id;
  return out;
}
