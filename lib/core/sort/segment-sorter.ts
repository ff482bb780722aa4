/**
 * Stable descending sort of id segments by a non-negative integer key — Python's
 * `sorted(seg, key=lambda i: key[i], reverse=True)`, whose stability the anchors' outputs depend on
 * (ties keep their shuffled order). Hot path: LSD radix sort with digits of up to 16 bits over
 * typed arrays, so a 200K-sample mega-batch of lengths below 65,536 costs one counting pass
 * instead of a comparator sort. Each pass orders its digit from high to low, which makes the
 * whole sort descending while staying stable.
 */
const MAX_DIGIT_BITS = 16;
const MIN_DIGIT_BITS = 8;
const INSERTION_SORT_MAX = 32;

/** Reusable scratch space; one instance per planning run (not shared between threads). */
export class SegmentSorter {
  private ids = new Int32Array(0);
  private keys = new Uint32Array(0);
  private idsAlt = new Int32Array(0);
  private keysAlt = new Uint32Array(0);
  private readonly counts = new Float64Array((1 << MAX_DIGIT_BITS) + 1);

  /**
   * Sort `ids[start, end)` in place so keys descend; equal keys keep their relative order.
   * `keyOf[id]` must be a non-negative integer below 2^32 (use |length|).
   */
  sortDescending(ids: Int32Array, start: number, end: number, keyOf: ArrayLike<number>): void {
    const size = end - start;
    if (size < 2) return;
    if (size <= INSERTION_SORT_MAX) return insertionSortDescending(ids, start, end, keyOf);
    this.ensureCapacity(size);
    let maxKey = 0;
    for (let j = 0; j < size; j++) {
      const id = ids[start + j]!;
      const key = keyOf[id]!;
      this.ids[j] = id;
      this.keys[j] = key;
      if (key > maxKey) maxKey = key;
    }
    this.radixSortScratch(size, maxKey);
    ids.set(this.ids.subarray(0, size), start);
  }

  /**
   * Stable sort of the pairs (srcIds[j], srcMagnitudes[j]) of `[start, end)` by magnitude,
   * descending, written to the same range of the dst arrays (out of place: the caller's other
   * buffer, so one counting pass moves the data once). Magnitudes must be non-negative.
   */
  sortPairsDescendingInto(srcIds: Int32Array, srcMagnitudes: Int32Array, dstIds: Int32Array, dstMagnitudes: Int32Array, start: number, end: number): void {
    const size = end - start;
    let maxKey = 0;
    for (let j = start; j < end; j++) if (srcMagnitudes[j]! > maxKey) maxKey = srcMagnitudes[j]!;
    const digitBits = this.digitBitsFor(size, maxKey);
    if (size < 2 || digitBits.passes <= 1) {
      // One pass (or none): count straight from the source into the destination.
      return this.countingPassPairs(srcIds, srcMagnitudes, dstIds, dstMagnitudes, start, size, 0, digitBits.width);
    }
    this.ensureCapacity(size);
    this.ids.set(srcIds.subarray(start, end));
    this.keys.set(srcMagnitudes.subarray(start, end));
    this.radixSortScratch(size, maxKey);
    dstIds.set(this.ids.subarray(0, size), start);
    dstMagnitudes.set(this.keys.subarray(0, size), start);
  }

  private countingPassPairs(
    srcIds: Int32Array,
    srcKeys: Int32Array,
    dstIds: Int32Array,
    dstKeys: Int32Array,
    start: number,
    size: number,
    shift: number,
    digitBits: number,
  ): void {
    const counts = this.counts;
    const mask = (1 << digitBits) - 1;
    const end = start + size;
    counts.fill(0, 0, mask + 2);
    for (let j = start; j < end; j++) counts[mask - ((srcKeys[j]! >>> shift) & mask)]!++;
    let total = start;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let j = start; j < end; j++) {
      const key = srcKeys[j]!;
      const slot = counts[mask - ((key >>> shift) & mask)]!++;
      dstIds[slot] = srcIds[j]!;
      dstKeys[slot] = key;
    }
  }

  /** Digit width and pass count: narrow digits for small segments, at most 16 bits. */
  private digitBitsFor(size: number, maxKey: number): { width: number; passes: number } {
    const bits = 32 - Math.clz32(maxKey);
    // Small segments get narrower digits: clearing 65,536 counters would cost more than sorting.
    const widest = Math.min(MAX_DIGIT_BITS, Math.max(MIN_DIGIT_BITS, 34 - Math.clz32(size)));
    const passes = Math.ceil(bits / widest);
    return { width: passes === 0 ? 0 : Math.ceil(bits / passes), passes };
  }

  /** LSD passes over the scratch (ids, keys); the sorted result ends in this.ids / this.keys. */
  private radixSortScratch(size: number, maxKey: number): void {
    const { width, passes } = this.digitBitsFor(size, maxKey);
    for (let pass = 0; pass < passes; pass++) {
      this.countingPassDescending(size, pass * width, width);
      [this.ids, this.idsAlt] = [this.idsAlt, this.ids];
      [this.keys, this.keysAlt] = [this.keysAlt, this.keys];
    }
  }

  /** One stable counting pass on bits [shift, shift + digitBits), high digits first. */
  private countingPassDescending(size: number, shift: number, digitBits: number): void {
    const { ids, keys, idsAlt, keysAlt, counts } = this;
    const mask = (1 << digitBits) - 1;
    counts.fill(0, 0, mask + 2);
    for (let j = 0; j < size; j++) counts[mask - ((keys[j]! >>> shift) & mask)]!++;
    let total = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let j = 0; j < size; j++) {
      const key = keys[j]!;
      const slot = counts[mask - ((key >>> shift) & mask)]!++;
      idsAlt[slot] = ids[j]!;
      keysAlt[slot] = key;
    }
  }

  private ensureCapacity(size: number): void {
    if (this.ids.length >= size) return;
    this.ids = new Int32Array(size);
    this.keys = new Uint32Array(size);
    this.idsAlt = new Int32Array(size);
    this.keysAlt = new Uint32Array(size);
  }
}

function insertionSortDescending(ids: Int32Array, start: number, end: number, keyOf: ArrayLike<number>): void {
  for (let j = start + 1; j < end; j++) {
    const id = ids[j]!;
    const key = keyOf[id]!;
    let k = j - 1;
    while (k >= start && keyOf[ids[k]!]! < key) {
      ids[k + 1] = ids[k]!;
      k--;
    }
    ids[k + 1] = id;
  }
}

/** |lengths| as non-negative sort keys (the anchors sort text-only samples by absolute length). */
export function absoluteLengths(lengths: Int32Array): Uint32Array {
  const out = new Uint32Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) out[i] = Math.abs(lengths[i]!);
  return out;
}
