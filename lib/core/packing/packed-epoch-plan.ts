/**
 * One epoch of packs for every rank, as flat typed arrays: the {@link EpochPlan} idea (rank after
 * rank, padding flags, declared drops) with steps of a variable number of rows. Every rank runs
 * the same `stepCount` steps; rank r's step s holds the rows
 * `stepStarts[r·stepCount + s] .. stepStarts[r·stepCount + s + 1]`, made of whole packs.
 *
 * @see ../plan/epoch-plan.ts
 */
export interface PackedEpochPlan {
  /** Versioned id of the strategy that produced it, e.g. `balanced-pack@1`. */
  readonly strategyId: string;
  readonly epoch: number;
  readonly worldSize: number;
  /** Token budget of a pack (an over-length sample alone in its pack is the declared exception). */
  readonly maxTokens: number;
  /** Steps every rank runs, from firstStep on. */
  readonly stepCount: number;
  /** Sample ids of all ranks, rank after rank; within a rank, step after step, each pack's members in order. */
  readonly sampleIds: Int32Array;
  /** 1 where the row belongs to a repeated pack (declared padding), parallel to sampleIds. */
  readonly isPadding: Uint8Array;
  /** `worldSize + 1` offsets into sampleIds; rank r owns [rankStarts[r], rankStarts[r+1]). */
  readonly rankStarts: Float64Array;
  /** `worldSize · stepCount + 1` row offsets: entry r·stepCount + s starts rank r's step s. */
  readonly stepStarts: Float64Array;
  /**
   * Row offsets of every pack, rank after rank, plus the end. With one pack per rank per step
   * (balanced-pack@1) this is the same array as stepStarts.
   */
  readonly packStarts: Float64Array;
  /** Samples left out by the over-length policy, ascending. */
  readonly rejectedIds: Int32Array;
  /** Why each rejected sample was left out: an index into PACK_REJECT_REASONS. */
  readonly rejectedReasons: Uint8Array;
  /** Step number of each rank's first step: 0, or k for a plan resumed at step k. */
  readonly firstStep?: number;
}

/** Rank r's sample ids, in iteration order (a view, not a copy). */
export function packedRankSampleIds(plan: PackedEpochPlan, rank: number): Int32Array {
  return plan.sampleIds.subarray(plan.rankStarts[rank], plan.rankStarts[rank + 1]);
}

/** Rows [start, end) of rank r's step s (s counted from the plan's firstStep, i.e. 0 = its first step). */
export function packedStepRows(plan: PackedEpochPlan, rank: number, step: number): [number, number] {
  const at = rank * plan.stepCount + step;
  return [plan.stepStarts[at]!, plan.stepStarts[at + 1]!];
}

/** Rank r's step s sample ids (a view). */
export function packedStepSampleIds(plan: PackedEpochPlan, rank: number, step: number): Int32Array {
  const [start, end] = packedStepRows(plan, rank, step);
  return plan.sampleIds.subarray(start, end);
}
