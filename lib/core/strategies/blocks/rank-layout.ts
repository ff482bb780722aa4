import type { EpochPlan } from '../../plan/epoch-plan.js';

/** Every rank's entries, rank after rank: the per-rank part of an {@link EpochPlan}. */
export interface RankLayout {
  readonly sampleIds: Int32Array;
  /** `worldSize + 1` offsets into sampleIds. */
  readonly rankStarts: Float64Array;
  /** 1 where the entry is declared padding (a repeat), parallel to sampleIds. */
  readonly isPadding: Uint8Array;
}

/** What identifies a plan besides its layout. */
export interface PlanHeader {
  readonly strategyId: string;
  readonly epoch: number;
  readonly worldSize: number;
  readonly microBatchSize: number;
}

/** Assemble an EpochPlan from its header, its rank layout and the ids dropped on purpose. */
export function planFromLayout(header: PlanHeader, layout: RankLayout, droppedIds?: Int32Array): EpochPlan {
  return {
    strategyId: header.strategyId,
    epoch: header.epoch,
    worldSize: header.worldSize,
    microBatchSize: header.microBatchSize,
    sampleIds: layout.sampleIds,
    rankStarts: layout.rankStarts,
    isPadding: layout.isPadding,
    droppedIds: droppedIds ?? new Int32Array(0),
  };
}
