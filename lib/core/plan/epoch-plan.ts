/**
 * One epoch's plan for every rank, as flat typed arrays (no per-sample objects).
 *
 * Rank r iterates `sampleIds[rankStarts[r] .. rankStarts[r+1])`; its entry at position p belongs
 * to micro-step `floor(p / microBatchSize)` at slot `p % microBatchSize`.
 */
export interface EpochPlan {
  /** Versioned id of the strategy that produced it, e.g. `balanced@1`. */
  readonly strategyId: string;
  readonly epoch: number;
  readonly worldSize: number;
  /** Samples per rank per micro-step (the DataLoader batch size). */
  readonly microBatchSize: number;
  /** Sample ids (rows of the length index) of all ranks, rank after rank. */
  readonly sampleIds: Int32Array;
  /** `worldSize + 1` offsets into sampleIds; rank r owns [rankStarts[r], rankStarts[r+1]). */
  readonly rankStarts: Float64Array;
  /** 1 where the entry repeats a sample already in this epoch (declared padding), else 0. */
  readonly isPadding: Uint8Array;
  /** Samples left out of this epoch on purpose (remainder policy "drop"), ascending. */
  readonly droppedIds: Int32Array;
  /** Step number of each rank's first entry: 0, or k for a plan resumed at step k. */
  readonly firstStep?: number;
}

/** Rank r's sample ids, in iteration order (a view, not a copy). */
export function rankSampleIds(plan: EpochPlan, rank: number): Int32Array {
  return plan.sampleIds.subarray(plan.rankStarts[rank], plan.rankStarts[rank + 1]);
}

/** Rank r's padding flags, parallel to {@link rankSampleIds}. */
export function rankPaddingFlags(plan: EpochPlan, rank: number): Uint8Array {
  return plan.isPadding.subarray(plan.rankStarts[rank], plan.rankStarts[rank + 1]);
}

/** Number of micro-steps rank r runs (from firstStep on). */
export function rankStepCount(plan: EpochPlan, rank: number): number {
  const count = plan.rankStarts[rank + 1]! - plan.rankStarts[rank]!;
  return Math.ceil(count / plan.microBatchSize);
}

/** Build the rankStarts offsets for ranks of the given sizes. */
export function offsetsFromCounts(counts: ArrayLike<number>): Float64Array {
  const starts = new Float64Array(counts.length + 1);
  for (let r = 0; r < counts.length; r++) starts[r + 1] = starts[r]! + counts[r]!;
  return starts;
}
