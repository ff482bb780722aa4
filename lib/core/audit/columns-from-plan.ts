import type { LengthIndex } from '../index/length-index.js';
import { rankPaddingFlags, rankSampleIds, type EpochPlan } from '../plan/epoch-plan.js';
import type { PlannedRankColumns } from './plan-agreement.js';
import type { EpochShards, RankShardColumns } from './rank-shard-columns.js';

/**
 * The columns a shard reader would return for every rank of `plan`, built in memory (benchmarks
 * and tests audit plans without writing files): record batch k = rows [k·B, (k+1)·B) of the rank,
 * per-sample columns copied from the index, `planLengths` the signed lengths the plan grouped by;
 * plus each rank's plan-file columns, as the plan reader would give them.
 */
export function epochShardsFromPlan(plan: EpochPlan, index: LengthIndex, planLengths: Int32Array): EpochShards {
  const ranks: RankShardColumns[] = [];
  const planned: PlannedRankColumns[] = [];
  for (let rank = 0; rank < plan.worldSize; rank++) {
    ranks.push(rankColumnsFromPlan(plan, rank, index, planLengths));
    planned.push({
      sampleIds: rankSampleIds(plan, rank).slice(),
      isPadding: rankPaddingFlags(plan, rank).slice(),
      firstStep: plan.firstStep ?? 0,
      microBatchSize: plan.microBatchSize,
    });
  }
  return { epoch: plan.epoch, ranks, declared: { droppedIds: plan.droppedIds, paddingEntries: countFlags(plan.isPadding) }, planned };
}

function rankColumnsFromPlan(plan: EpochPlan, rank: number, index: LengthIndex, planLengths: Int32Array): RankShardColumns {
  const start = plan.rankStarts[rank]!;
  const end = plan.rankStarts[rank + 1]!;
  const n = end - start;
  const B = plan.microBatchSize;
  const steps = Math.ceil(n / B);
  const stepStarts = new Int32Array(steps + 1);
  for (let k = 0; k <= steps; k++) stepStarts[k] = Math.min(n, k * B);
  const sampleIds = plan.sampleIds.slice(start, end);
  const lengths = new Int32Array(n);
  const totalTokens = new Int32Array(n);
  const trainableTokens = new Int32Array(n);
  const modality = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const id = sampleIds[p]!;
    lengths[p] = planLengths[id]!;
    totalTokens[p] = index.totalTokens[id]!;
    trainableTokens[p] = index.trainableTokens[id]!;
    modality[p] = index.modality[id]!;
  }
  return {
    facts: { epoch: plan.epoch, rank, worldSize: plan.worldSize, microBatchSize: B, firstStep: plan.firstStep ?? 0 },
    stepStarts,
    sampleIds,
    lengths,
    totalTokens,
    trainableTokens,
    modality,
    isPadding: plan.isPadding.slice(start, end),
  };
}

function countFlags(flags: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] !== 0) count++;
  return count;
}
