import type { MegaBatches } from './mega-batches.js';

/**
 * Upstream's `[megabatches[k] for k in order]`: a new layout whose j-th mega-batch is the source's
 * `order[j]`-th. Mega-batches not named in `order` are left out.
 */
export function reorderMegaBatches(source: MegaBatches, order: ArrayLike<number>): MegaBatches {
  const bounds = new Int32Array(order.length + 1);
  for (let j = 0; j < order.length; j++) {
    const k = order[j]!;
    bounds[j + 1] = bounds[j]! + (source.bounds[k + 1]! - source.bounds[k]!);
  }
  const ids = new Int32Array(bounds[order.length]!);
  for (let j = 0; j < order.length; j++) {
    const k = order[j]!;
    ids.set(source.ids.subarray(source.bounds[k]!, source.bounds[k + 1]!), bounds[j]!);
  }
  return { ids, bounds };
}

/** `order` followed by the identity for the remaining mega-batches (keep a tail in place). */
export function withTailKept(order: Int32Array, total: number): Int32Array {
  const full = new Int32Array(total);
  full.set(order);
  for (let k = order.length; k < total; k++) full[k] = k;
  return full;
}
