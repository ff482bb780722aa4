import type { Utf8Column } from '../index/length-index.js';

/**
 * Exact lookups in a column of UTF-8 keys, by binary search over the column's own bytes: no string
 * and no object per key. An image-table part of a million images is held as its two buffers
 * (≈ key bytes + 4 B an image) instead of a Map of a million strings and fact objects (≈ 290 B an
 * image measured), and is ready as soon as it is decoded. Order is UTF-8 byte order — what S3
 * lists in; a column not in that order (written by something else) is indexed through a sorted
 * permutation rather than trusted.
 */
export class SortedUtf8Keys {
  /** Row of the i-th smallest key; null when the column is already in byte order. */
  private readonly order: Int32Array | null;

  constructor(
    private readonly column: Utf8Column,
    readonly count: number,
  ) {
    this.order = isAscending(column, count) ? null : sortedOrder(column, count);
  }

  /** The row holding exactly `key`, or −1. */
  rowOf(key: Uint8Array): number {
    const at = this.lowerBound(key);
    if (at === this.count) return -1;
    const row = this.rowAt(at);
    return compareKeyTo(this.column, row, key) === 0 ? row : -1;
  }

  /** Whether some key starts with `prefix` (a folder named where an image was expected). */
  hasKeyStartingWith(prefix: Uint8Array): boolean {
    const at = this.lowerBound(prefix);
    if (at === this.count) return false;
    const row = this.rowAt(at);
    const start = this.column.offsets[row]!;
    if (this.column.offsets[row + 1]! - start < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (this.column.bytes[start + i] !== prefix[i]) return false;
    return true;
  }

  /** First position (in key order) whose key is ≥ `key`. */
  private lowerBound(key: Uint8Array): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeyTo(this.column, this.rowAt(middle), key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private rowAt(position: number): number {
    return this.order === null ? position : this.order[position]!;
  }
}

/** Key `row` of the column against `key`, in byte order: negative, 0 or positive. */
function compareKeyTo(column: Utf8Column, row: number, key: Uint8Array): number {
  return compareBytes(column.bytes, column.offsets[row]!, column.offsets[row + 1]!, key, 0, key.length);
}

function compareRows(column: Utf8Column, a: number, b: number): number {
  const { bytes, offsets } = column;
  return compareBytes(bytes, offsets[a]!, offsets[a + 1]!, bytes, offsets[b]!, offsets[b + 1]!);
}

/** bytes a[aStart, aEnd) against b[bStart, bEnd), lexicographically (a shorter prefix first). */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const shared = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < shared; i++) {
    const difference = a[aStart + i]! - b[bStart + i]!;
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}

function isAscending(column: Utf8Column, count: number): boolean {
  for (let row = 1; row < count; row++) if (compareRows(column, row - 1, row) > 0) return false;
  return true;
}

function sortedOrder(column: Utf8Column, count: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, row) => row);
  return order.sort((a, b) => compareRows(column, a, b));
}
