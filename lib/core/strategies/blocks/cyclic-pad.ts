/** A global order with a padding flag per entry. */
export interface PaddedOrder {
  readonly ids: Int32Array;
  /** 1 for entries appended to reach the target size (repeats), else 0. */
  readonly isPadding: Uint8Array;
}

/**
 * Extend `order` to `totalSize` entries by repeating it from the start, entry k = order[k mod n].
 * This is torch DistributedSampler's padding (both `idx += idx[:pad]` and its repeat branch for
 * pad > n) and XTuner's round_up `(idx * int(total / n + 1))[:total]`. Appended entries are flagged.
 */
export function padCyclic(order: Int32Array, totalSize: number): PaddedOrder {
  const n = order.length;
  if (totalSize < n) throw new RangeError(`cannot pad ${n} entries down to ${totalSize}`);
  if (n === 0 && totalSize > 0) throw new RangeError('cannot pad an empty order');
  const ids = new Int32Array(totalSize);
  const isPadding = new Uint8Array(totalSize);
  ids.set(order);
  for (let k = n; k < totalSize; k++) {
    ids[k] = order[k % n]!;
    isPadding[k] = 1;
  }
  return { ids, isPadding };
}

/** The order itself, nothing flagged (no padding needed). */
export function unpadded(order: Int32Array): PaddedOrder {
  return { ids: order, isPadding: new Uint8Array(order.length) };
}
