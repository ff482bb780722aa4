/** How many entries each rank and all ranks together iterate in an epoch. */
export interface DistributedSizes {
  readonly numSamples: number;
  readonly totalSize: number;
}

/**
 * torch DistributedSampler's (and HF DistributedLengthGroupedSampler's) sizes: with drop_last and
 * a remainder, `ceil((n − W) / W)` per rank (the tail is dropped), else `ceil(n / W)` (the list is
 * padded). Same float arithmetic as Python's `math.ceil(a / b)`.
 */
export function torchDistributedSizes(sampleCount: number, worldSize: number, dropLast: boolean): DistributedSizes {
  const numSamples =
    dropLast && sampleCount % worldSize !== 0 ? Math.max(0, Math.ceil((sampleCount - worldSize) / worldSize)) : Math.ceil(sampleCount / worldSize);
  return { numSamples, totalSize: numSamples * worldSize };
}
