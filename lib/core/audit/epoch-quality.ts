import { Mt19937 } from '../rng/mt19937.js';
import { shufflePairsInto } from '../rng/shuffle.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import { measurePlanQuality, type PlanQuality } from './plan-quality.js';
import type { EpochShards } from './rank-shard-columns.js';

/** Domain-separation word of the audit's baseline shuffle ("audb"), so it shares no stream with a plan. */
const RANDOM_BASELINE_TAG = 0x61756462;

/** The epoch as written, measured with the project's plan-quality measures, next to a random order of the same entries. */
export interface EpochQuality {
  readonly written: PlanQuality;
  /** The same entries in a seeded random order, same ranks and micro-batch size: what no length grouping gives. */
  readonly randomOrder: PlanQuality;
}

/**
 * Measure the written epoch on true cost (total_tokens, as the shards carry it) and the random-order
 * baseline. `plan` is epochPlanFromShards(shards). The shards must hold known ids only (checked
 * before: an unknown id has no cost).
 */
export function measureEpochQuality(shards: EpochShards, plan: EpochPlan, sampleCount: number): EpochQuality {
  const cost = tokensBySample(shards, sampleCount);
  return { written: measurePlanQuality(plan, cost), randomOrder: measurePlanQuality(randomOrderOf(plan, shards.epoch), cost) };
}

/** Padding waste as the share of padded token slots (longest × micro-batch rows) that are padding. */
export function wastedSlotFraction(quality: PlanQuality): number {
  // plan-quality reports padding per real token (w = pad / real); pad / (pad + real) = w / (1 + w).
  return quality.paddingWaste / (1 + quality.paddingWaste);
}

/** The shards' rows as one EpochPlan (rank after rank), the shape plan-quality measures. */
export function epochPlanFromShards(shards: EpochShards, microBatchSize: number): EpochPlan {
  const W = shards.ranks.length;
  const rankStarts = new Float64Array(W + 1);
  shards.ranks.forEach((columns, r) => (rankStarts[r + 1] = rankStarts[r]! + (columns?.sampleIds.length ?? 0)));
  const sampleIds = new Int32Array(rankStarts[W]!);
  const isPadding = new Uint8Array(rankStarts[W]!);
  shards.ranks.forEach((columns, r) => {
    if (columns === null) return;
    sampleIds.set(columns.sampleIds, rankStarts[r]!);
    isPadding.set(columns.isPadding, rankStarts[r]!);
  });
  return { strategyId: 'written-shards', epoch: shards.epoch, worldSize: W, microBatchSize, sampleIds, rankStarts, isPadding, droppedIds: shards.declared.droppedIds };
}

/** Each sample's total_tokens as its rows carry it (0 for samples the epoch does not hold). */
function tokensBySample(shards: EpochShards, sampleCount: number): Int32Array {
  const cost = new Int32Array(sampleCount);
  for (const columns of shards.ranks) {
    if (columns === null) continue;
    const { sampleIds, totalTokens } = columns;
    for (let p = 0; p < sampleIds.length; p++) cost[sampleIds[p]!] = totalTokens[p]!;
  }
  return cost;
}

/** The plan's entries shuffled uniformly (our seeded RNG, keyed by the epoch) into the same rank layout. */
function randomOrderOf(plan: EpochPlan, epoch: number): EpochPlan {
  const n = plan.sampleIds.length;
  const shuffled = new Int32Array(n);
  const scratch = new Int32Array(n);
  shufflePairsInto(plan.sampleIds, plan.sampleIds, shuffled, scratch, 0, n, Mt19937.fromKey([RANDOM_BASELINE_TAG, epoch >>> 0]));
  return { ...plan, strategyId: 'random-order', sampleIds: shuffled, isPadding: new Uint8Array(n) };
}
