import { Mt19937 } from '../rng/mt19937.js';

/**
 * CPython's `random.Random` as XTuner V1's pack sampler uses it: `.seed(int)` and `.shuffle(list)`
 * (Lib/random.py, 3.11). Only the draws those two make are reproduced: `getrandbits(k ≤ 32)` is the
 * top k bits of one MT19937 word, and `_randbelow` rejects until the draw is below n.
 */

/** `random.Random(seed)` / `.seed(seed)` for an int: init_by_array over the 32-bit words of |seed|. */
export function pythonRandom(seed: bigint): Mt19937 {
  let rest = seed < 0n ? -seed : seed;
  const key: number[] = [];
  do {
    key.push(Number(rest & 0xffffffffn));
    rest >>= 32n;
  } while (rest > 0n);
  return Mt19937.fromKey(key);
}

/** `Random._randbelow(n)` for 1 ≤ n < 2^32: k = bit length of n, draw k-bit values until one is < n. */
export function pythonRandbelow(rng: Mt19937, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n >= 2 ** 32) throw new RangeError(`randbelow(${n}): n must be an integer in [1, 2^32)`);
  // n ≥ 2^32 has 33 bits, which CPython draws from two words: not needed for list shuffles.
  const bits = 32 - Math.clz32(n);
  for (;;) {
    const draw = rng.nextUint32() >>> (32 - bits);
    if (draw < n) return draw;
  }
}

/** `Random.shuffle(x)` in place: for i = len − 1 down to 1, swap x[i] with x[randbelow(i + 1)]. */
export function pythonShuffleInPlace(items: Int32Array, rng: Mt19937): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pythonRandbelow(rng, i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
}
