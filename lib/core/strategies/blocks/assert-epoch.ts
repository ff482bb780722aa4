import { InvalidInputError } from '../../errors.js';

/** Reject an epoch that is not a non-negative safe integer (it seeds or advances the RNG). */
export function assertEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new InvalidInputError('epoch', `is ${epoch}; epochs are counted from 0 as integers`);
  }
}
