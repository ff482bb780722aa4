import type { Mt19937 } from '../rng/mt19937.js';

/**
 * The legacy `numpy.random.RandomState` draws XTuner V1's hard packer makes: `RandomState(seed)`
 * is MT19937 seeded by `init_genrand(seed)` (our `Mt19937.fromTorchSeed`, for seed < 2^32), and
 * `.shuffle(x)` on a 1-D array is `_shuffle_raw` over `random_interval` (numpy/random/mtrand.pyx,
 * src/distributions/distributions.c). Unlike torch's `u32 % n`, the interval draw masks and rejects.
 */

/** numpy's `random_interval(max)` for max < 2^32: mask a draw to the smallest all-ones mask ≥ max, redraw while > max. */
export function numpyRandomInterval(rng: Mt19937, max: number): number {
  if (max === 0) return 0;
  if (!Number.isInteger(max) || max < 0 || max >= 2 ** 32) {
    throw new RangeError(`random_interval(${max}): only 0 ≤ max < 2^32 is reproduced (larger ones draw 64 bits)`);
  }
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  for (;;) {
    const value = (rng.nextUint32() & mask) >>> 0;
    if (value <= max) return value;
  }
}

/** `RandomState.shuffle(x)` on a 1-D array, in place: for i = n − 1 down to 1, swap x[i] with x[random_interval(i)]. */
export function numpyShuffleInPlace(items: Int32Array, rng: Mt19937): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = numpyRandomInterval(rng, i);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
}
