/**
 * numpy 1.24's default `np.argsort` (kind "quicksort") for int64 and float64 keys, element for
 * element, ties included. It is not stable: XTuner V1's soft packer walks the extra buffer in this
 * order, so which of several equal-length samples tops a pack up depends on it (the golden files
 * change under a stable sort). Ported from numpy's scalar `aquicksort_`
 * (numpy/core/src/npysort/quicksort.cpp) and `aheapsort_` (npysort_heapsort.h) at v1.24.2; later
 * numpy versions hand int64 argsort to x86-simd-sort on AVX-512/AVX2 CPUs and break ties otherwise.
 * Pinned by ../shared/golden/packing/numpy-argsort.json.
 */

/** Partitions stop above this range width (`pr − pl`); smaller ranges get an insertion sort. */
const SMALL_QUICKSORT = 15;

/**
 * numpy's `Tag::less`: plain `<` for integers; for floats NaN sorts after everything (the second
 * clause never fires for integer keys, so one comparator serves both).
 */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

/** `np.argsort(values)` with the default kind, as a new index array. */
export function numpyArgsort(values: ArrayLike<number>): Int32Array {
  const order = new Int32Array(values.length);
  numpyArgsortInto(values, order, values.length);
  return order;
}

/**
 * Fill `order[0, count)` with the argsort of `values[0, count)` without allocating (beyond two
 * small stacks), so a caller sorting many small buffers can reuse one index array.
 */
export function numpyArgsortInto(values: ArrayLike<number>, order: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) order[i] = i;
  if (count < 2) return;
  // numpy pushes the larger side, so the stack never holds more than log2(n) ranges.
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = count - 1;
  let cdepth = 2 * (31 - Math.clz32(count));
  for (;;) {
    if (cdepth < 0) {
      heapsortRange(values, order, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pi = partition(values, order, pl, pr);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      insertionSort(values, order, pl, pr);
    }
    if (stack.length === 0) return;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
}

/**
 * Median of three (lo, mid, hi ordered by three compare-swaps), pivot parked at hi − 1, then
 * the two scans; returns the pivot's final position.
 */
function partition(v: ArrayLike<number>, a: Int32Array, pl: number, pr: number): number {
  const pm = pl + ((pr - pl) >> 1);
  if (less(v[a[pm]!]!, v[a[pl]!]!)) swap(a, pm, pl);
  if (less(v[a[pr]!]!, v[a[pm]!]!)) swap(a, pr, pm);
  if (less(v[a[pm]!]!, v[a[pl]!]!)) swap(a, pm, pl);
  const vp = v[a[pm]!]!;
  let pi = pl;
  let pj = pr - 1;
  swap(a, pm, pj);
  for (;;) {
    do pi++;
    while (less(v[a[pi]!]!, vp));
    do pj--;
    while (less(vp, v[a[pj]!]!));
    if (pi >= pj) break;
    swap(a, pi, pj);
  }
  swap(a, pi, pr - 1);
  return pi;
}

/** Insertion sort of a[pl..pr]: an element moves left only past strictly greater keys. */
function insertionSort(v: ArrayLike<number>, a: Int32Array, pl: number, pr: number): void {
  for (let pi = pl + 1; pi <= pr; pi++) {
    const vi = a[pi]!;
    const vp = v[vi]!;
    let pj = pi;
    while (pj > pl && less(vp, v[a[pj - 1]!]!)) {
      a[pj] = a[pj - 1]!;
      pj--;
    }
    a[pj] = vi;
  }
}

/**
 * `np.argsort(values, kind="heapsort")`: numpy's `aheapsort_` on the whole array. The introsort
 * falls back to it on ranges that exhaust their depth budget; exported so its tie order can be
 * pinned on its own (the golden inputs never reach the fallback).
 */
export function numpyHeapArgsort(values: ArrayLike<number>): Int32Array {
  const order = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  heapsortRange(values, order, 0, order.length);
  return order;
}

/** numpy's `aheapsort_` over a[start, start + n): a 1-based binary max-heap (depth budget spent). */
function heapsortRange(v: ArrayLike<number>, a: Int32Array, start: number, n: number): void {
  // Heap slot k (1-based) lives at a[base + k].
  const base = start - 1;
  for (let l = n >> 1; l > 0; l--) siftDown(v, a, base, l, n);
  for (let size = n; size > 1; ) {
    const tmp = a[base + size]!;
    a[base + size] = a[base + 1]!;
    size--;
    siftDownValue(v, a, base, 1, size, tmp);
  }
}

function siftDown(v: ArrayLike<number>, a: Int32Array, base: number, l: number, n: number): void {
  siftDownValue(v, a, base, l, n, a[base + l]!);
}

/** Sink `tmp` from heap slot i, moving larger children up; strict comparisons as numpy's. */
function siftDownValue(v: ArrayLike<number>, a: Int32Array, base: number, i: number, n: number, tmp: number): void {
  let slot = i;
  for (let j = slot << 1; j <= n; ) {
    if (j < n && less(v[a[base + j]!]!, v[a[base + j + 1]!]!)) j++;
    if (!less(v[tmp]!, v[a[base + j]!]!)) break;
    a[base + slot] = a[base + j]!;
    slot = j;
    j += j;
  }
  a[base + slot] = tmp;
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
