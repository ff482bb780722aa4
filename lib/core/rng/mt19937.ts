/**
 * MT19937, the 32-bit Mersenne Twister, bit-compatible with PyTorch's CPU generator
 * (`torch.Generator().manual_seed(s)` seeds it by `init_genrand(s mod 2^32)`), with numpy's
 * `RandomState(s)`, and — through {@link Mt19937.fromKey} — with CPython's `random.seed(int)`,
 * which seeds by `init_by_array` over the 32-bit words of the integer.
 *
 * Decision record: docs/decisions/0001-rng.md. Pinned by test/unit/rng.test.ts.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296n;
const TWO_POW_64 = 1n << 64n;

/** A seeded MT19937 stream. Mutable: each draw advances it. */
export class Mt19937 {
  private readonly state = new Uint32Array(N);
  /** Index of the next word to temper; N means "twist before the next draw". */
  private next = N;

  private constructor() {}

  /**
   * Seed exactly as `torch.manual_seed(seed)`: any integer in [0, 2^64); only its low 32 bits
   * are used (torch's `init_with_uint32`), so 2^32 + 1 and 1 give the same stream.
   */
  static fromTorchSeed(seed: bigint | number): Mt19937 {
    const seed64 = toUint64(seed);
    const g = new Mt19937();
    g.initGenrand(Number(seed64 % TWO_POW_32));
    return g;
  }

  /**
   * Seed by `init_by_array(key)`, as CPython's `random.seed(int)` does with the integer's 32-bit
   * little-endian words. Lets our own strategies use every bit of a 64-bit seed and the epoch.
   */
  static fromKey(key: Uint32Array | readonly number[]): Mt19937 {
    if (key.length === 0) throw new RangeError('init_by_array needs at least one key word');
    const g = new Mt19937();
    g.initByArray(key);
    return g;
  }

  private initGenrand(seed32: number): void {
    const mt = this.state;
    mt[0] = seed32 >>> 0;
    for (let j = 1; j < N; j++) {
      const prev = mt[j - 1]!;
      mt[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.next = N;
  }

  private initByArray(key: Uint32Array | readonly number[]): void {
    this.initGenrand(19650218);
    const mt = this.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.next = N;
  }

  /** Regenerate all 624 words (the "twist"); `-(y & 1) & MATRIX_A` avoids a coin-flip branch. */
  private twist(): void {
    const mt = this.state;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.next = 0;
  }

  /** One tempered 32-bit output, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    if (this.next >= N) this.twist();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Advance the stream by `count` draws without using them (as C++ `discard`; replays an upstream's draws). */
  discard(count: number): void {
    let left = count;
    while (left > 0) {
      if (this.next >= N) this.twist();
      const step = Math.min(left, N - this.next);
      this.next += step;
      left -= step;
    }
  }
}

/** Validate and normalise a seed to an unsigned 64-bit bigint. */
export function toUint64(seed: bigint | number): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`seed ${seed} is not an exact integer; pass large seeds as bigint or decimal strings`);
  }
  const value = BigInt(seed);
  if (value < 0n || value >= TWO_POW_64) throw new RangeError(`seed ${value} is outside [0, 2^64)`);
  return value;
}
