import { InvalidInputError } from '../errors.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import type { EpochPlan } from './epoch-plan.js';

/** Largest epoch number we plan (epochs key 32-bit RNG words). */
export const MAX_EPOCH = 2 ** 32 - 1;

/** Validate the epoch number, naming the field and the fix. */
export function validateEpoch(epoch: number, field = 'epoch'): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new InvalidInputError(field, `is ${epoch}; epochs are integers from 0 (the first epoch) to ${MAX_EPOCH}`);
  }
}

/**
 * `planEpoch(lengths, spec) → plan`: the one entry point of the planner. Validates the epoch and
 * the lengths for the strategy (errors name samples as `lengthsField[i]`), then runs it. Pure:
 * same inputs, same typed arrays.
 */
export function planEpoch<S extends CommonSpec>(strategy: Strategy<S>, signedLengths: Int32Array, spec: S, epoch: number, lengthsField = 'lengths'): EpochPlan {
  validateEpoch(epoch);
  strategy.validateLengths(signedLengths, lengthsField);
  return strategy.planEpoch(signedLengths, spec, epoch);
}
