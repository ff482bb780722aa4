/**
 * A seeded pseudo-random permutation of [0, n) that can be evaluated at any position in O(1):
 * a balanced Feistel network over the smallest 4^h ≥ n, with cycle-walking back into [0, n).
 * Drawing a window of m positions costs O(m), not O(n): a 100M-sample source down-sampled to
 * 1% costs 1M evaluations per epoch, never a 100M-entry shuffle. Pinned by test vectors
 * (`mixture-rotation@1`): changing it changes which samples every mixed epoch draws.
 */
export class FeistelPermutation {
  private readonly halfBits: number;
  private readonly halfMask: number;
  private readonly roundKeys: Uint32Array;

  /** A permutation of [0, size) keyed by `keyWords` (e.g. the seed's words and a source index). */
  constructor(
    readonly size: number,
    keyWords: readonly number[],
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > 2 ** 52) throw new RangeError(`FeistelPermutation: size ${size} must be an integer in [1, 2^52]`);
    let bits = 2;
    while (2 ** bits < size) bits += 2;
    this.halfBits = bits / 2;
    this.halfMask = 2 ** this.halfBits - 1;
    this.roundKeys = deriveRoundKeys(keyWords, ROUNDS);
  }

  /** The image of position `index` (0 ≤ index < size). */
  at(index: number): number {
    let x = index;
    // Cycle-walking: the network permutes [0, 4^h); re-applying it until the value falls in
    // [0, size) restricts it to a permutation of [0, size) (expected < 4 passes).
    do x = this.encrypt(x);
    while (x >= this.size);
    return x;
  }

  private encrypt(value: number): number {
    const span = 2 ** this.halfBits;
    let left = Math.floor(value / span);
    let right = value - left * span;
    for (let round = 0; round < ROUNDS; round++) {
      const next = (left ^ (roundFunction(this.roundKeys[round]!, right) & this.halfMask)) >>> 0;
      left = right;
      right = next;
    }
    return left * span + right;
  }
}

/** Four rounds: a pseudo-random permutation (Luby–Rackoff needs three for a PRP against adaptive queries). */
const ROUNDS = 4;

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The round function on a half (at most 26 bits: halves of a domain of at most 2^52). */
function roundFunction(key: number, half: number): number {
  return fmix32(fmix32(half ^ key) + 0x7feb352d);
}

/** Round keys from the key words, absorbed one by one (a word of difference changes every key). */
function deriveRoundKeys(keyWords: readonly number[], rounds: number): Uint32Array {
  let state = 0x6d697831; // "mix1"
  for (const word of keyWords) state = fmix32(state ^ fmix32((word >>> 0) + 0x9e3779b9));
  const keys = new Uint32Array(rounds);
  for (let round = 0; round < rounds; round++) {
    state = fmix32(state + 0x9e3779b9 * (round + 1));
    keys[round] = state;
  }
  return keys;
}
