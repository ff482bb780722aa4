/** Domain-separation word for balanced-pack@1 streams ("bpk1"), so no other use of the seed collides. */
const BALANCED_PACK_V1_TAG = 0x62706b31;

/**
 * The MT19937 `init_by_array` key of a balanced-pack stream: all 64 bits of the seed, the epoch
 * and a tag (as balanced@1's key, with its own tag), so seed 1 at epoch 0 and seed 0 at epoch 1
 * are different streams and a packing stream never replays an ordering stream.
 */
export function balancedPackSeedKey(seed: bigint, epoch: number): Uint32Array {
  return Uint32Array.of(Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn), epoch >>> 0, BALANCED_PACK_V1_TAG);
}
