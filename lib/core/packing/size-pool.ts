import { SuccessorBitset } from './successor-bitset.js';

/**
 * The samples of one mega-batch still to be packed, bucketed by token count (a counting sort):
 * "the largest size ≤ g still present" is one successor query, "how many of size s are left" one
 * lookup, and taking a sample of size s pops the first of its bucket. Within a bucket samples keep
 * their (shuffled) input order, so which of several equal-size samples is used is the seeded one.
 */
export class SizePool {
  private readonly bucketStarts: Int32Array;
  private readonly cursors: Int32Array;
  private readonly ids: Int32Array;
  /** Holds maxTokens − size for every size present, so a successor query is a predecessor query on sizes. */
  private readonly present: SuccessorBitset;
  /** Samples not taken yet. */
  remaining = 0;

  constructor(
    private readonly maxTokens: number,
    maxBatchSize: number,
  ) {
    this.bucketStarts = new Int32Array(maxTokens + 2);
    this.cursors = new Int32Array(maxTokens + 1);
    this.ids = new Int32Array(maxBatchSize);
    this.present = new SuccessorBitset(maxTokens + 1);
  }

  /** Load `ids[start, end)` with sizes `sizes[start, end)` (each in [1, maxTokens]); the pool must be empty. */
  fill(ids: Int32Array, sizes: Int32Array, start: number, end: number): void {
    const starts = this.bucketStarts;
    starts.fill(0);
    for (let j = start; j < end; j++) starts[sizes[j]! + 1]!++;
    for (let s = 1; s <= this.maxTokens + 1; s++) starts[s]! += starts[s - 1]!;
    this.cursors.set(starts.subarray(0, this.maxTokens + 1));
    for (let j = start; j < end; j++) this.ids[this.cursors[sizes[j]!]!++] = ids[j]!;
    for (let s = 1; s <= this.maxTokens; s++) {
      this.cursors[s] = starts[s]!;
      if (starts[s + 1]! > starts[s]!) this.present.add(this.maxTokens - s);
    }
    this.remaining = end - start;
  }

  /** The largest size ≤ limit with samples left, or −1. */
  largestAtMost(limit: number): number {
    if (limit < 1) return -1;
    const flipped = this.present.successor(this.maxTokens - Math.min(limit, this.maxTokens));
    return flipped < 0 ? -1 : this.maxTokens - flipped;
  }

  /** Samples of this size left. */
  countOf(size: number): number {
    return size < 1 || size > this.maxTokens ? 0 : this.bucketStarts[size + 1]! - this.cursors[size]!;
  }

  /** The id the k-th next take of this size would return (k < countOf(size)). */
  peek(size: number, k = 0): number {
    return this.ids[this.cursors[size]! + k]!;
  }

  /** Move the k-th next sample of this size to the front of its bucket (so {@link take} returns it). */
  promote(size: number, k: number): void {
    const front = this.cursors[size]!;
    const tmp = this.ids[front]!;
    this.ids[front] = this.ids[front + k]!;
    this.ids[front + k] = tmp;
  }

  /**
   * Move every sample still in the pool to `ids/sizes[at, at + remaining)` (largest size first)
   * and empty the pool: the leftovers of one mega-batch join the next one.
   */
  drainInto(ids: Int32Array, sizes: Int32Array, at: number): void {
    let write = at;
    for (let size = this.largestAtMost(this.maxTokens); size > 0; size = this.largestAtMost(size - 1)) {
      while (this.countOf(size) > 0) {
        sizes[write] = size;
        ids[write++] = this.take(size);
      }
    }
  }

  /** Take the next sample of this size (countOf(size) > 0) and return its id. */
  take(size: number): number {
    const id = this.ids[this.cursors[size]!++]!;
    if (this.cursors[size] === this.bucketStarts[size + 1]) this.present.delete(this.maxTokens - size);
    this.remaining--;
    return id;
  }
}
