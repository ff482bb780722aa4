/**
 * A min-heap over chunk numbers ordered by (load, chunk number), i.e. Python's
 * `loads.index(min(loads))` — the FIRST chunk with the smallest load — in O(log W) instead of a
 * linear scan per sample. Full chunks are removed (upstream sets their load to +inf).
 */
export class LightestChunkHeap {
  private heap = new Int32Array(0);
  private load = new Float64Array(0);
  private size = 0;

  /** Start over with `chunkCount` empty chunks, all of load 0. */
  reset(chunkCount: number): void {
    if (this.heap.length < chunkCount) {
      this.heap = new Int32Array(chunkCount);
      this.load = new Float64Array(chunkCount);
    }
    // Ascending chunk numbers with equal loads already satisfy the heap order.
    for (let c = 0; c < chunkCount; c++) this.heap[c] = c;
    this.load.fill(0, 0, chunkCount);
    this.size = chunkCount;
  }

  /** The chunk that receives the next sample. */
  lightest(): number {
    if (this.size === 0) throw new RangeError('every chunk is full');
    return this.heap[0]!;
  }

  /** Add `amount` to the lightest chunk's load, or retire it when it became full. */
  updateLightest(amount: number, full: boolean): void {
    if (full) {
      this.size--;
      this.heap[0] = this.heap[this.size]!;
    } else {
      this.load[this.heap[0]!]! += amount;
    }
    this.siftDown();
  }

  private before(a: number, b: number): boolean {
    const la = this.load[a]!;
    const lb = this.load[b]!;
    return la < lb || (la === lb && a < b);
  }

  /** Only the root changes, so restoring the order from the root down suffices. */
  private siftDown(): void {
    const heap = this.heap;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, heap[i]!)) return;
      const tmp = heap[i]!;
      heap[i] = heap[child]!;
      heap[child] = tmp;
      i = child;
    }
  }
}
