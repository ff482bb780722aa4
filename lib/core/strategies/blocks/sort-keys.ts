/** Offset that maps every int32 onto [0, 2^32) without changing the order. */
const INT32_OFFSET = 2147483648;

/**
 * Sort keys that order samples by their RAW signed length (text-only samples, negative, sort below
 * every multimodal one and among themselves by -|length|), as non-negative integers for
 * SegmentSorter. Needed where upstream sorts the signed values themselves (XTuner quirk B, LLaVA's
 * single-modality path).
 */
export function signedLengthKeys(lengths: Int32Array): Uint32Array {
  const keys = new Uint32Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) keys[i] = (lengths[i]! + INT32_OFFSET) >>> 0;
  return keys;
}
