import type { Mt19937 } from './mt19937.js';

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;
/** Bounds up to this keep draw × bound below 2^53, so the product is exact in a double. */
const EXACT_PRODUCT_BOUND = 1 << 21;
/** Buckets hold about this many entries, so each bucket's Fisher–Yates pass stays in cache. */
const BUCKET_TARGET_SIZE = 1 << 18;

/**
 * An unbiased integer in [0, bound) for 1 ≤ bound ≤ 2^32 (unlike torch's plain `u32 % bound`).
 * Small bounds use Lemire's multiply-and-reject (the slow modulo runs only on the rare rejection
 * path); larger ones reject draws below 2^32 mod bound. Both are exact, so pinned by vectors.
 */
export function uniformBelow(rng: Mt19937, bound: number): number {
  if (bound > EXACT_PRODUCT_BOUND) return uniformBelowByModulo(rng, bound);
  // product = high·2^32 + low; high is uniform once low ≥ (2^32 − bound) mod bound.
  let product = rng.nextUint32() * bound;
  let high = Math.floor(product * INV_TWO_POW_32);
  let low = product - high * TWO_POW_32;
  if (low < bound) {
    const threshold = (TWO_POW_32 - bound) % bound;
    while (low < threshold) {
      product = rng.nextUint32() * bound;
      high = Math.floor(product * INV_TWO_POW_32);
      low = product - high * TWO_POW_32;
    }
  }
  return high;
}

function uniformBelowByModulo(rng: Mt19937, bound: number): number {
  const rejectBelow = TWO_POW_32 % bound;
  for (;;) {
    const draw = rng.nextUint32();
    if (draw >= rejectBelow) return draw % bound;
  }
}

/** Unbiased Fisher–Yates over `ids[start, end)` and, in step, `values[start, end)`, in place. */
export function fisherYatesPairs(ids: Int32Array, values: Int32Array, start: number, end: number, rng: Mt19937): void {
  for (let i = end - start - 1; i > 0; i--) {
    const j = start + uniformBelow(rng, i + 1);
    const k = start + i;
    const id = ids[k]!;
    ids[k] = ids[j]!;
    ids[j] = id;
    const value = values[k]!;
    values[k] = values[j]!;
    values[j] = value;
  }
}

/**
 * Shuffle the pairs (srcIds[i], srcValues[i]) of `[start, end)` into a uniformly random order,
 * written to the same range of dstIds/dstValues (megashard's own shuffle; not torch-compatible).
 *
 * Rao–Sandelius scatter shuffle: give every entry an independent uniform bucket (a power-of-two
 * count, so the top bits of one draw are exactly uniform), lay the buckets out in entry order,
 * then Fisher–Yates each bucket. The result is exactly uniform, and unlike one Fisher–Yates pass
 * over a 400 MB array it touches memory in cache-sized pieces: several times faster at 100M.
 */
export function shufflePairsInto(
  srcIds: Int32Array,
  srcValues: Int32Array,
  dstIds: Int32Array,
  dstValues: Int32Array,
  start: number,
  end: number,
  rng: Mt19937,
): void {
  const size = end - start;
  const bucketBits = bucketBitsFor(size);
  if (bucketBits === 0) {
    dstIds.set(srcIds.subarray(start, end), start);
    dstValues.set(srcValues.subarray(start, end), start);
    return fisherYatesPairs(dstIds, dstValues, start, end, rng);
  }
  const bucketCount = 1 << bucketBits;
  const bucketOf = new Uint16Array(size);
  const bucketStarts = new Float64Array(bucketCount + 1);
  for (let i = 0; i < size; i++) {
    const bucket = rng.nextUint32() >>> (32 - bucketBits);
    bucketOf[i] = bucket;
    bucketStarts[bucket + 1]!++;
  }
  bucketStarts[0] = start;
  for (let b = 0; b < bucketCount; b++) bucketStarts[b + 1]! += bucketStarts[b]!;
  const cursor = bucketStarts.slice(0, bucketCount);
  for (let i = 0; i < size; i++) {
    const slot = cursor[bucketOf[i]!]!++;
    dstIds[slot] = srcIds[start + i]!;
    dstValues[slot] = srcValues[start + i]!;
  }
  for (let b = 0; b < bucketCount; b++) fisherYatesPairs(dstIds, dstValues, bucketStarts[b]!, bucketStarts[b + 1]!, rng);
}

/** Smallest bit count (≤ 16) whose bucket count brings buckets down to the target size. */
function bucketBitsFor(size: number): number {
  let bits = 0;
  while (bits < 16 && BUCKET_TARGET_SIZE * 2 ** bits < size) bits++;
  return bits;
}
