import { FindingList } from './finding.js';
import type { EpochShards, RankShardColumns } from './rank-shard-columns.js';
import type { PlannedRankColumns } from './planned-rank-columns.js';

export type { PlannedRankColumns };

/**
 * Each rank's shard holds exactly its plan file's rows, in order, in the plan's micro-steps. The
 * other checks prove the shards are *a* valid epoch; this one proves they are *the* planned one,
 * and locates any edit at its first differing row: a removed sample shifts every later row, so
 * the step it was removed from is the first to differ.
 */
export function checkPlanAgreement(shards: EpochShards, planned: readonly (PlannedRankColumns | null)[]): FindingList {
  const findings = new FindingList();
  shards.ranks.forEach((columns, rank) => {
    const plan = planned[rank] ?? null;
    // A missing or untrusted plan file is the reader's finding (it knows why); nothing to compare.
    if (columns === null || plan === null) return;
    const difference = firstDifference(columns, plan);
    if (difference !== null) findings.add(shards.epoch, rank, difference.step, difference.message);
  });
  return findings;
}

function firstDifference(columns: RankShardColumns, plan: PlannedRankColumns): { step: number | null; message: string } | null {
  const { sampleIds, isPadding, stepStarts } = columns;
  const shared = Math.min(sampleIds.length, plan.sampleIds.length);
  // The shard's record batch of row p, advanced as p crosses batch boundaries (no search per row).
  let batch = 0;
  let plannedBatch = 0;
  for (let p = 0; p < shared; p++) {
    while (batch + 2 < stepStarts.length && stepStarts[batch + 1]! <= p) batch++;
    const planned = plan.stepStarts;
    if (planned) while (plannedBatch + 2 < planned.length && planned[plannedBatch + 1]! <= p) plannedBatch++;
    const plannedStep = plan.firstStep + (planned ? plannedBatch : Math.floor(p / plan.microBatchSize));
    const step = columns.facts.firstStep + batch;
    // Packed: the shard's packs must start where the plan's do (the same pack membership).
    const packsDiffer =
      plan.packStarts !== undefined && columns.packStarts !== undefined && isPackStart(columns.packStarts, p) !== isPackStart(plan.packStarts, p);
    if (sampleIds[p] !== plan.sampleIds[p] || isPadding[p] !== plan.isPadding[p] || step !== plannedStep || packsDiffer) {
      const slot = planned ? p - planned[plannedBatch]! : p % plan.microBatchSize;
      if (packsDiffer)
        return {
          step: plannedStep,
          message: `row ${p} (slot ${slot}) ${isPackStart(plan.packStarts!, p) ? 'starts' : 'continues'} a pack in the plan; not in the shard`,
        };
      return {
        step: plannedStep,
        message:
          `slot ${slot} holds sample ${sampleIds[p]}${isPadding[p] ? ' (padding)' : ''} at step ${step}; ` +
          `the plan has sample ${plan.sampleIds[p]}${plan.isPadding[p] ? ' (padding)' : ''} at step ${plannedStep}`,
      };
    }
  }
  if (sampleIds.length !== plan.sampleIds.length) {
    const step = plan.firstStep + (plan.stepStarts ? stepCountBelow(plan.stepStarts, shared) : Math.floor(shared / plan.microBatchSize));
    return { step, message: `the shard has ${sampleIds.length} rows; the plan has ${plan.sampleIds.length} (they differ from step ${step} on)` };
  }
  return null;
}

/** Whether row p starts a pack (binary search over the offsets). */
function isPackStart(starts: ArrayLike<number>, p: number): boolean {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! < p) low = middle + 1;
    else high = middle;
  }
  return starts[low] === p;
}

/** Steps wholly before row `row` (the step index holding it). */
function stepCountBelow(stepStarts: ArrayLike<number>, row: number): number {
  let k = 0;
  while (k + 2 < stepStarts.length && stepStarts[k + 1]! <= row) k++;
  return k;
}
