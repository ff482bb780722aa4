/** Domain-separation word for balanced@1 streams ("bal1"), so no other use of the seed collides. */
const BALANCED_V1_TAG = 0x62616c31;

/**
 * The MT19937 `init_by_array` key of a balanced stream: all 64 bits of the seed, the epoch and a
 * tag, plus optional extra words (a reshard's position). Unlike torch's `seed + epoch`, seed 1 at
 * epoch 0 and seed 0 at epoch 1 are different streams. Same as CPython
 * `random.seed(seedLo | seedHi<<32 | epoch<<64 | tag<<96 | …)`, which pins it by test vectors.
 */
export function balancedSeedKey(seed: bigint, epoch: number, extra: readonly number[] = []): Uint32Array {
  const key = new Uint32Array(4 + extra.length);
  key[0] = Number(seed & 0xffffffffn);
  key[1] = Number((seed >> 32n) & 0xffffffffn);
  key[2] = epoch >>> 0;
  key[3] = BALANCED_V1_TAG;
  extra.forEach((word, i) => (key[4 + i] = word >>> 0));
  return key;
}
