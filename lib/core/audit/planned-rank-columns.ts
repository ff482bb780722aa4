/** A rank's plan as its written plan file holds it (plan/epoch-NNNN/rank-RRRRR.arrow). */
export interface PlannedRankColumns {
  readonly sampleIds: Int32Array;
  readonly isPadding: Uint8Array;
  /** Step of row 0; row p is at step firstStep + floor(p / microBatchSize). */
  readonly firstStep: number;
  readonly microBatchSize: number;
  /** Packed plans: steps + 1 row offsets (steps of whole packs) and the packs' row offsets, instead of microBatchSize. */
  readonly stepStarts?: ArrayLike<number>;
  readonly packStarts?: ArrayLike<number>;
}
