import { stepOfRow, type RankShardColumns } from './rank-shard-columns.js';

/** Where the epoch's longest sample is, and whether the first step holds one as long. */
export interface LongestFirst {
  /** Whether the first step holds a sample as long as the epoch's longest (ties count). */
  readonly holds: boolean;
  readonly longest: { readonly sampleId: number; readonly length: number; readonly rank: number; readonly step: number } | null;
  /** The longest |length| among the first step's micro-batches. */
  readonly firstStepLongest: number;
}

/**
 * Strategies whose own definition puts the longest micro-batch first for every data shape, so the
 * audit fails when the shards do not. The parity strategies reproduce upstream samplers, whose
 * guarantee varies (XTuner's longest-first swap picks the shortest on all-text data): for them
 * the audit only warns.
 */
const PROMISED_BY = ['balanced'];

/** Whether strategy `strategyId` (versioned, `balanced@1`) promises the longest micro-batch at the first step. */
export function promisesLongestFirst(strategyId: string): boolean {
  return PROMISED_BY.includes(strategyId.split('@')[0]!);
}

/**
 * Find the epoch's longest sample by the plan's own |length| (what the strategy grouped by) and
 * compare it with the longest of the first step across ranks: an out-of-memory should show at
 * once, not hours in.
 */
export function findLongestFirst(ranks: readonly (RankShardColumns | null)[]): LongestFirst {
  let longest: LongestFirst['longest'] = null;
  let firstStepLongest = 0;
  ranks.forEach((columns, rank) => {
    if (columns === null || columns.stepStarts.length < 2) return;
    const { lengths, sampleIds, stepStarts } = columns;
    for (let p = 0; p < stepStarts[1]!; p++) firstStepLongest = Math.max(firstStepLongest, Math.abs(lengths[p]!));
    let best = -1;
    for (let p = 0; p < lengths.length; p++) {
      if (best === -1 || Math.abs(lengths[p]!) > Math.abs(lengths[best]!)) best = p;
    }
    if (best !== -1 && (longest === null || Math.abs(lengths[best]!) > longest.length)) {
      longest = { sampleId: sampleIds[best]!, length: Math.abs(lengths[best]!), rank, step: stepOfRow(columns, best) };
    }
  });
  const found = longest as LongestFirst['longest'];
  return { holds: found === null || firstStepLongest >= found.length, longest: found, firstStepLongest };
}
