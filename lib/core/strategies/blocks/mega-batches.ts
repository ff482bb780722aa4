import type { SegmentSorter } from '../../sort/segment-sorter.js';

/**
 * Mega-batches without arrays of arrays: mega-batch k is `ids[bounds[k], bounds[k+1])`, so a
 * million-sample epoch is one Int32Array plus a short boundary list.
 */
export interface MegaBatches {
  /** Sample ids of every mega-batch, mega-batch after mega-batch. */
  readonly ids: Int32Array;
  /** `count + 1` offsets into ids. */
  readonly bounds: Int32Array;
}

/** Number of mega-batches. */
export function megaBatchCount(megaBatches: MegaBatches): number {
  return megaBatches.bounds.length - 1;
}

/**
 * Boundaries of the upstream slicing `[idx[i : i + size] for i in range(0, count, size)]`:
 * consecutive chunks of `size`, the last one possibly short, none empty.
 */
export function fixedSizeBounds(count: number, size: number): Int32Array {
  const chunks = Math.ceil(count / size);
  const bounds = new Int32Array(chunks + 1);
  for (let k = 1; k <= chunks; k++) bounds[k] = Math.min(k * size, count);
  return bounds;
}

/** Cut `ids` into mega-batches of `size` (the last possibly short); the ids are not copied. */
export function cutMegaBatches(ids: Int32Array, size: number): MegaBatches {
  return { ids, bounds: fixedSizeBounds(ids.length, size) };
}

/**
 * Upstream's `sorted(megabatch, key=lambda i: key[i], reverse=True)` applied to every mega-batch,
 * in place: stable, so equal keys keep their shuffled order.
 */
export function sortEachMegaBatchDescending(megaBatches: MegaBatches, keyOf: ArrayLike<number>, sorter: SegmentSorter): void {
  const { ids, bounds } = megaBatches;
  for (let k = 0; k + 1 < bounds.length; k++) sorter.sortDescending(ids, bounds[k]!, bounds[k + 1]!, keyOf);
}
