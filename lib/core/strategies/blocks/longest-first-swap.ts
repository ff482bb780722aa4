import type { MegaBatches } from './mega-batches.js';

/**
 * HF/XTuner's "biggest batch first" step, in place: take each mega-batch's HEAD key
 * (`abs(lengths[mb[0]])`), find the first maximum (`torch.argmax` returns the first), and swap the
 * two heads only. The receiving mega-batch may end up unsorted (XTuner quirk A) — kept on purpose.
 */
export function swapLongestHeadFirst(megaBatches: MegaBatches, headKeyOf: ArrayLike<number>): void {
  const { ids, bounds } = megaBatches;
  const count = bounds.length - 1;
  if (count === 0) return;
  let best = 0;
  let bestKey = headKeyOf[ids[bounds[0]!]!]!;
  for (let k = 1; k < count; k++) {
    const key = headKeyOf[ids[bounds[k]!]!]!;
    if (key > bestKey) {
      best = k;
      bestKey = key;
    }
  }
  const first = bounds[0]!;
  const other = bounds[best]!;
  const tmp = ids[first]!;
  ids[first] = ids[other]!;
  ids[other] = tmp;
}
