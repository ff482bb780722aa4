import { InvalidInputError } from '../errors.js';

/**
 * The sample ranges XTuner V1's packers treat as one dataset each: the whole concatenation when
 * `globalPack` is on, else one `[start, end)` per input dataset (in dataset order).
 */
export function datasetRanges(sampleCount: number, datasetSizes: readonly number[], globalPack: boolean): Array<[number, number]> {
  const total = datasetSizes.reduce((sum, size) => sum + size, 0);
  if (total !== sampleCount) {
    throw new InvalidInputError('params.dataset_sizes', `sum to ${total}, but there are ${sampleCount} samples; give one size per dataset, in order`);
  }
  if (globalPack) return [[0, sampleCount]];
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (const size of datasetSizes) {
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}
