import type { Mt19937 } from '../rng/mt19937.js';

const TWO_POW_32 = 4294967296;

/**
 * Draw an integer from a distribution given by its quantiles: `quantiles[k]` is the value at
 * probability k / (quantiles.length − 1), linearly interpolated in between. Integer-exact float
 * arithmetic only (no log/exp), so the draws are identical on every platform.
 */
export function drawFromQuantiles(quantiles: readonly number[], rng: Mt19937): number {
  const segments = quantiles.length - 1;
  const scaled = (rng.nextUint32() / TWO_POW_32) * segments;
  const segment = Math.floor(scaled);
  const low = quantiles[segment]!;
  const high = quantiles[segment + 1]!;
  return low + Math.floor((high - low) * (scaled - segment));
}
