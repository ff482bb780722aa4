/** One epoch's iteration order: each rank's sample ids (views of the shard columns, not copies). */
export interface EpochOrder {
  readonly epoch: number;
  /** ranks[r] is rank r's sample ids in order; null for a rank without a usable shard. */
  readonly ranks: readonly (Int32Array | null)[];
}

/** How alike two epochs' orders are. */
export interface EpochOrderComparison {
  readonly epochA: number;
  readonly epochB: number;
  /** Share of positions (rank, row) holding the same sample in both epochs; ≈ 1/N for independent shuffles. */
  readonly samePositionFraction: number;
  /** Every rank iterates exactly the same samples in the same order in both. */
  readonly identical: boolean;
}

/**
 * Compare every pair of epochs position by position. Epochs that repeat the same order let the
 * model see the same micro-batches in the same sequence each epoch, which reshuffling exists to avoid.
 */
export function compareEpochOrders(orders: readonly EpochOrder[]): EpochOrderComparison[] {
  const comparisons: EpochOrderComparison[] = [];
  for (let a = 0; a < orders.length; a++) {
    for (let b = a + 1; b < orders.length; b++) comparisons.push(compareTwo(orders[a]!, orders[b]!));
  }
  return comparisons;
}

function compareTwo(a: EpochOrder, b: EpochOrder): EpochOrderComparison {
  let same = 0;
  let positions = 0;
  const W = Math.max(a.ranks.length, b.ranks.length);
  for (let r = 0; r < W; r++) {
    const x = a.ranks[r] ?? EMPTY;
    const y = b.ranks[r] ?? EMPTY;
    const shared = Math.min(x.length, y.length);
    for (let p = 0; p < shared; p++) if (x[p] === y[p]) same++;
    positions += Math.max(x.length, y.length);
  }
  return {
    epochA: a.epoch,
    epochB: b.epoch,
    samePositionFraction: positions > 0 ? same / positions : 1,
    identical: same === positions,
  };
}

const EMPTY = new Int32Array(0);
