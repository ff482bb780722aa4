/** One epoch's iteration order: every rank's sample ids, rank after rank (as epochPlanFromShards lays them). */
export interface EpochOrder {
  readonly epoch: number;
  readonly sampleIds: Int32Array;
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
  const shared = Math.min(a.sampleIds.length, b.sampleIds.length);
  const longer = Math.max(a.sampleIds.length, b.sampleIds.length);
  let same = 0;
  for (let p = 0; p < shared; p++) if (a.sampleIds[p] === b.sampleIds[p]) same++;
  return {
    epochA: a.epoch,
    epochB: b.epoch,
    samePositionFraction: longer > 0 ? same / longer : 1,
    identical: same === longer,
  };
}
