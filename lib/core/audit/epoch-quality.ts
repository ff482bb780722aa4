import { Mt19937 } from '../rng/mt19937.js';
import { shufflePairsInto, uniformBelow } from '../rng/shuffle.js';
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
 * Measure the written epoch on true cost — each row's own total_tokens, as the shards carry it —
 * and the random-order baseline. plan-quality looks costs up by sample id; here every entry is its
 * own "sample" (ids 0..n−1 in rank-major order, cost = the row's total_tokens), so both measures
 * read memory sequentially instead of at random across a 10M-sample index, and a row with an
 * unknown id still has a cost.
 */
export function measureEpochQuality(shards: EpochShards, microBatchSize: number, baselineMaxEntries = BASELINE_MAX_ENTRIES): EpochQuality {
  const { plan, costs } = entryLayout(shards, microBatchSize);
  const rng = Mt19937.fromKey([RANDOM_BASELINE_TAG, shards.epoch >>> 0]);
  const baseline = randomOrderLayout(costs, plan.worldSize, microBatchSize, baselineMaxEntries, rng);
  return { written: measurePlanQuality(plan, costs), randomOrder: measurePlanQuality(...baseline) };
}

/**
 * Entries the random-order baseline shuffles at most. Beyond this a uniformly random sample of
 * whole steps stands in for the full shuffle: 2M entries are ≥ 500 steps × 1024 ranks × 4, so the
 * baseline's sampling error is far below the precision reported, at a fraction of the time of
 * shuffling 10M+ entries (the audit of a 10M-sample epoch has a 10 s budget).
 */
export const BASELINE_MAX_ENTRIES = 1 << 21;

/**
 * The entries' costs in a seeded uniformly random order, laid out as `W` equal ranks of whole
 * micro-steps: every entry when the epoch is small, else a random sample of whole steps (a
 * partial Fisher–Yates: its first k slots are a uniform random k-subset in random order).
 */
function randomOrderLayout(costs: Int32Array, W: number, B: number, maxEntries: number, rng: Mt19937): [EpochPlan, Int32Array] {
  const n = costs.length;
  const stepEntries = W * B;
  const sampled = n > maxEntries && maxEntries >= stepEntries;
  let order: Int32Array;
  if (sampled) {
    order = costs.slice();
    const k = maxEntries - (maxEntries % stepEntries);
    for (let i = 0; i < k; i++) {
      const j = i + uniformBelow(rng, n - i);
      const held = order[i]!;
      order[i] = order[j]!;
      order[j] = held;
    }
    order = order.subarray(0, k);
  } else {
    order = new Int32Array(n);
    shufflePairsInto(costs, costs, order, new Int32Array(n), 0, n, rng);
  }
  // Row-major by rank, like the shards: rank r holds entries [r·n/W, (r+1)·n/W) (the last ranks one fewer when W ∤ n).
  const rankStarts = Float64Array.from({ length: W + 1 }, (_, r) => Math.floor((r * order.length) / W));
  const ids = new Int32Array(order.length);
  for (let p = 0; p < ids.length; p++) ids[p] = p;
  const plan: EpochPlan = {
    strategyId: 'random-order',
    epoch: 0,
    worldSize: W,
    microBatchSize: B,
    sampleIds: ids,
    rankStarts,
    isPadding: new Uint8Array(order.length),
    droppedIds: new Int32Array(0),
  };
  return [plan, order];
}

/** Padding waste as the share of padded token slots (longest × micro-batch rows) that are padding. */
export function wastedSlotFraction(quality: PlanQuality): number {
  // plan-quality reports padding per real token (w = pad / real); pad / (pad + real) = w / (1 + w).
  return quality.paddingWaste / (1 + quality.paddingWaste);
}

/** The shards' rows as one EpochPlan (rank after rank), the shape plan-quality measures and epochs are compared in. */
export function epochPlanFromShards(shards: EpochShards, microBatchSize: number): EpochPlan {
  const { rankStarts, total } = rankOffsets(shards);
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  shards.ranks.forEach((columns, r) => {
    if (columns === null) return;
    sampleIds.set(columns.sampleIds, rankStarts[r]!);
    isPadding.set(columns.isPadding, rankStarts[r]!);
  });
  return {
    strategyId: 'written-shards',
    epoch: shards.epoch,
    worldSize: shards.ranks.length,
    microBatchSize,
    sampleIds,
    rankStarts,
    isPadding,
    droppedIds: shards.declared.droppedIds,
  };
}

/** Every entry as its own sample: identity ids in the shards' rank layout, and each row's total_tokens. */
function entryLayout(shards: EpochShards, microBatchSize: number): { plan: EpochPlan; costs: Int32Array } {
  const { rankStarts, total } = rankOffsets(shards);
  const costs = new Int32Array(total);
  shards.ranks.forEach((columns, r) => columns !== null && costs.set(columns.totalTokens, rankStarts[r]!));
  const sampleIds = new Int32Array(total);
  for (let p = 0; p < total; p++) sampleIds[p] = p;
  const plan: EpochPlan = {
    strategyId: 'written-shards',
    epoch: shards.epoch,
    worldSize: shards.ranks.length,
    microBatchSize,
    sampleIds,
    rankStarts,
    isPadding: new Uint8Array(total),
    droppedIds: new Int32Array(0),
  };
  return { plan, costs };
}

function rankOffsets(shards: EpochShards): { rankStarts: Float64Array; total: number } {
  const W = shards.ranks.length;
  const rankStarts = new Float64Array(W + 1);
  shards.ranks.forEach((columns, r) => (rankStarts[r + 1] = rankStarts[r]! + (columns?.sampleIds.length ?? 0)));
  return { rankStarts, total: rankStarts[W]! };
}
