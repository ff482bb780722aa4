import type { Mt19937 } from './mt19937.js';
import { uniformBelow } from './shuffle.js';

/**
 * k distinct integers drawn uniformly from [0, n), ascending (Floyd's algorithm: k draws, no
 * O(n) work, so choosing a few thousand remainder samples out of 100M costs nothing).
 */
export function sampleDistinct(n: number, k: number, rng: Mt19937): Int32Array {
  if (k > n) throw new RangeError(`cannot draw ${k} distinct values from ${n}`);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = uniformBelow(rng, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}
