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
  for (let p = 0; p < shared; p++) {
    while (batch + 2 < stepStarts.length && stepStarts[batch + 1]! <= p) batch++;
    const plannedStep = plan.firstStep + Math.floor(p / plan.microBatchSize);
    const step = columns.facts.firstStep + batch;
    if (sampleIds[p] !== plan.sampleIds[p] || isPadding[p] !== plan.isPadding[p] || step !== plannedStep) {
      const slot = p % plan.microBatchSize;
      return {
        step: plannedStep,
        message:
          `slot ${slot} holds sample ${sampleIds[p]}${isPadding[p] ? ' (padding)' : ''} at step ${step}; ` +
          `the plan has sample ${plan.sampleIds[p]}${plan.isPadding[p] ? ' (padding)' : ''} at step ${plannedStep}`,
      };
    }
  }
  if (sampleIds.length !== plan.sampleIds.length) {
    const step = plan.firstStep + Math.floor(shared / plan.microBatchSize);
    return { step, message: `the shard has ${sampleIds.length} rows; the plan has ${plan.sampleIds.length} (they differ from step ${step} on)` };
  }
  return null;
}
