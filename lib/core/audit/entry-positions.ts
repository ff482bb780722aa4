import { stepOfRow, type RankShardColumns } from './rank-shard-columns.js';

/**
 * Numbers every entry of an epoch with one integer (rank after rank, row after row), so a sample's
 * first occurrence fits in one Int32Array slot per sample, and turns that number back into the
 * (rank, step) a finding names.
 */
export class EntryPositions {
  /** ranks + 1 offsets; a missing rank owns no entries. */
  readonly rankStarts: Float64Array;

  constructor(private readonly ranks: readonly (RankShardColumns | null)[]) {
    this.rankStarts = new Float64Array(ranks.length + 1);
    ranks.forEach((columns, r) => (this.rankStarts[r + 1] = this.rankStarts[r]! + (columns?.sampleIds.length ?? 0)));
  }

  /** Entries of the whole epoch. */
  get total(): number {
    return this.rankStarts[this.ranks.length]!;
  }

  /** Rank and row (within that rank's shard) of entry `position`. */
  locateRow(position: number): { rank: number; row: number } {
    let low = 0;
    let high = this.ranks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.rankStarts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    // Skip missing/empty ranks that share the same start offset.
    while (this.rankStarts[low + 1]! <= position) low++;
    return { rank: low, row: position - this.rankStarts[low]! };
  }

  /** Rank and step of entry `position`. */
  locate(position: number): { rank: number; step: number } {
    const { rank, row } = this.locateRow(position);
    return { rank, step: stepOfRow(this.ranks[rank]!, row) };
  }
}

/** An Int32 list that grows by doubling (typed storage; no boxed numbers on hot paths). */
export class Int32List {
  private values = new Int32Array(64);
  private size = 0;

  push(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  /** The pushed values (a view; valid until the next push). */
  view(): Int32Array {
    return this.values.subarray(0, this.size);
  }
}
