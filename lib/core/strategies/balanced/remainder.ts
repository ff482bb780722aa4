import type { Mt19937 } from '../../rng/mt19937.js';
import { sampleDistinct } from '../../rng/sample-distinct.js';
import { InvalidInputError } from '../../errors.js';

/** Which population members the remainder policy drops or repeats (positions, ascending). */
export interface RemainderChoice {
  readonly dropPositions: Int32Array;
  /** Positions repeated once more each; a tiny population may list a position several times. */
  readonly repeatPositions: Int32Array;
}

/**
 * Make the population a multiple of `unit` (= W × B × GA, one optimizer step of every rank) so
 * every rank runs the same number of whole steps and no collective waits forever. "drop" leaves
 * out a uniformly random subset (a fresh one each epoch, so no sample is always the one left
 * out); "pad" repeats a uniformly random subset. Both draw only as many values as they choose.
 */
export function chooseRemainder(populationSize: number, unit: number, policy: 'pad' | 'drop', rng: Mt19937): RemainderChoice {
  const excess = populationSize % unit;
  const none = new Int32Array(0);
  if (excess === 0) return { dropPositions: none, repeatPositions: none };
  if (policy === 'drop') {
    if (populationSize < unit) {
      throw new InvalidInputError(
        'spec.remainder',
        `"drop" would leave out all ${populationSize} samples (one optimizer step needs worldSize × perDeviceBatchSize × gradientAccumulation = ${unit}); use "pad" or fewer ranks`,
      );
    }
    return { dropPositions: sampleDistinct(populationSize, excess, rng), repeatPositions: none };
  }
  const padCount = unit - excess;
  const wholeCycles = Math.floor(padCount / populationSize);
  const partial = sampleDistinct(populationSize, padCount % populationSize, rng);
  const repeatPositions = new Int32Array(padCount);
  for (let cycle = 0; cycle < wholeCycles; cycle++) {
    for (let p = 0; p < populationSize; p++) repeatPositions[cycle * populationSize + p] = p;
  }
  repeatPositions.set(partial, wholeCycles * populationSize);
  return { dropPositions: none, repeatPositions: repeatPositions.sort() };
}
