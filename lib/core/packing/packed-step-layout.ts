import type { Mt19937 } from '../rng/mt19937.js';
import { uniformBelow } from '../rng/shuffle.js';
import { orderByCostDescending } from './cost-order.js';
import type { CostedPacks, FlatPacks } from './pack-list.js';
import { sampleCost } from './pack-cost.js';
import { applyExchange, planExchangeWithDearerGroups } from './step-exchange.js';
import { REBALANCE_THRESHOLD, RedealtPacks, imbalanceOf, redealStep, type RedealLimits } from './step-rebalance.js';

/** Every rank's rows, step after step, one pack per rank per step. */
export interface PackedStepLayout {
  readonly stepCount: number;
  readonly sampleIds: Int32Array;
  readonly isPadding: Uint8Array;
  readonly rankStarts: Float64Array;
  readonly stepStarts: Float64Array;
}

/**
 * Deal packs to steps of W (one per rank) so the packs of a step cost about the same. Steps:
 * 1. order the packs by cost (pack-cost.ts), highest first, and cut consecutive groups of W (the
 *    last one may be short): neighbours in cost order are as close in cost as this pack set allows;
 * 2. a group still over 2% uneven has its samples moved between its packs (step-rebalance.ts);
 *    if that leaves it over 2% (a cliff of pack costs inside it), it swaps its cheapest packs for
 *    the cheapest of the groups before it instead (step-exchange.ts), whichever is more even;
 * 3. complete the short last group with repeats of its own packs, cyclically (declared padding:
 *    a repeat's rows are flagged where it trains after its original), so every rank runs the same
 *    steps and the repeats cost what their step's packs cost;
 * 4. the costliest group is step 0 (an out-of-memory shows at once), the others are shuffled;
 * 5. within a step the i-th pack of the group goes to rank (i + step) mod W, so no rank always
 *    carries the heaviest pack.
 */
export function layOutPackedSteps(packs: CostedPacks, totalTokens: Int32Array, worldSize: number, limits: RedealLimits, rng: Mt19937): PackedStepLayout {
  const packCount = packs.packStarts.length - 1;
  const { order, sortedCosts } = orderByCostDescending(packs.packCosts);
  const redealt = rebalanceGroups(order, sortedCosts, packs, totalTokens, limits, worldSize);
  const grouped = padLastGroup(order, worldSize, (pack) => packCostOf([packs, redealt], packCount, pack, totalTokens, limits.costLinearWeight));
  const stepCount = grouped.length / worldSize;
  const groupOfStep = stepOrder(stepCount, rng);
  // trainPack[s·W + r]: the pack rank r trains at step s.
  const trainPack = new Int32Array(grouped.length);
  for (let step = 0; step < stepCount; step++) {
    const from = groupOfStep[step]! * worldSize;
    for (let i = 0; i < worldSize; i++) trainPack[step * worldSize + ((i + step) % worldSize)] = grouped[from + i]!;
  }
  const paddingAt = flagRepeats(trainPack, grouped.subarray(packCount));
  return { stepCount, ...rowsByRank([packs, redealt], packCount, trainPack, paddingAt, worldSize, stepCount) };
}

/**
 * Step 2 over every group (`grouped[g·W + i]`, the last group maybe short) whose packs' costs
 * differ by more than the threshold; re-dealt groups are renamed in place to the new packs.
 * A group still uneven after that swaps its cheapest packs for the cheapest of the groups
 * before it (step-exchange.ts).
 */
function rebalanceGroups(
  grouped: Int32Array,
  groupedCosts: Float64Array,
  packs: CostedPacks,
  totalTokens: Int32Array,
  limits: RedealLimits,
  worldSize: number,
): FlatPacks {
  const firstRedealt = packs.packStarts.length - 1;
  const out = new RedealtPacks(firstRedealt);
  const costOf = (pack: number) => (pack < firstRedealt ? packs.packCosts[pack]! : out.costs.at(pack - firstRedealt));
  const isOriginal = (pack: number) => pack < firstRedealt;
  for (let from = 0; from < grouped.length; from += worldSize) {
    const to = Math.min(from + worldSize, grouped.length);
    const group = grouped.subarray(from, to);
    const before = imbalanceOf(groupedCosts.subarray(from, to));
    if (before <= REBALANCE_THRESHOLD) continue;
    const original = { packCount: out.count, ids: group.slice() };
    const redealt = redealStep(group, packs, totalTokens, limits, out, before);
    if (redealt <= REBALANCE_THRESHOLD || from === 0) continue;
    // Still uneven: plan an exchange of packs with the groups before from the original packs;
    // if it does better, undo the re-deal, exchange, and re-deal what is left uneven.
    const redealtIds = group.slice();
    group.set(original.ids);
    const exchange = planExchangeWithDearerGroups(grouped, worldSize, from / worldSize, costOf, isOriginal);
    if (exchange.imbalance >= redealt) {
      group.set(redealtIds);
      continue;
    }
    out.truncate(original.packCount);
    applyExchange(grouped, exchange);
    if (exchange.imbalance > REBALANCE_THRESHOLD) redealStep(group, packs, totalTokens, limits, out, exchange.imbalance);
  }
  return out.toFlatPacks();
}

/**
 * Step 3: the groups, the short last one (r packs) completed by W − r repeats of its own packs,
 * cyclically over those within 2% of its dearest: repeats then lift the step's mean toward its
 * maximum instead of copying its unevenness, and are spread over several packs where possible.
 */
function padLastGroup(grouped: Int32Array, worldSize: number, costOf: (pack: number) => number): Int32Array {
  const short = grouped.length % worldSize;
  if (short === 0) return grouped;
  const last = Array.from(grouped.subarray(grouped.length - short));
  const costs = last.map(costOf);
  const dearest = Math.max(...costs);
  const sources = last.filter((_, i) => costs[i]! >= dearest * (1 - REBALANCE_THRESHOLD));
  const padded = new Int32Array(grouped.length - short + worldSize);
  padded.set(grouped);
  for (let j = 0; j < worldSize - short; j++) padded[grouped.length + j] = sources[j % sources.length]!;
  return padded;
}

/** Cost of a pack (original below `firstRedealt`, else re-dealt), summed from its members. */
function packCostOf(sources: readonly [FlatPacks, FlatPacks], firstRedealt: number, pack: number, totalTokens: Int32Array, linearWeight: number): number {
  const { members, packStarts } = pack < firstRedealt ? sources[0] : sources[1];
  const local = pack < firstRedealt ? pack : pack - firstRedealt;
  let cost = 0;
  for (let j = packStarts[local]!; j < packStarts[local + 1]!; j++) cost += sampleCost(totalTokens[members[j]!]!, linearWeight);
  return cost;
}

/** Group order: the costliest group (0) first, the others in a uniformly shuffled order. */
function stepOrder(stepCount: number, rng: Mt19937): Int32Array {
  const order = new Int32Array(stepCount);
  for (let s = 0; s < stepCount; s++) order[s] = s;
  for (let i = stepCount - 1; i > 1; i--) {
    const j = 1 + uniformBelow(rng, i);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/** 1 at the training positions (step, then rank) of every repeat after its pack's first occurrence. */
function flagRepeats(trainPack: Int32Array, repeated: Int32Array): Uint8Array {
  const flags = new Uint8Array(trainPack.length);
  if (repeated.length === 0) return flags;
  const watched = new Set(repeated);
  const seen = new Set<number>();
  for (let position = 0; position < trainPack.length; position++) {
    const pack = trainPack[position]!;
    if (!watched.has(pack)) continue;
    if (seen.has(pack)) flags[position] = 1;
    seen.add(pack);
  }
  return flags;
}

/** Ranks per block when turning step-major pack choices into rank-major rows (as plan/transpose.ts). */
const RANK_BLOCK = 64;

/**
 * Copy each rank's packs, step after step, into rank-major rows with step offsets. Pack ids
 * below `firstRedealt` are in sources[0], the others (re-dealt packs) in sources[1]. Both passes
 * walk blocks of ranks step by step, so `trainPack` is read in contiguous runs and rows are
 * written to a few dozen streams instead of touching a new page per pack.
 */
function rowsByRank(
  sources: readonly [FlatPacks, FlatPacks],
  firstRedealt: number,
  trainPack: Int32Array,
  paddingAt: Uint8Array,
  worldSize: number,
  stepCount: number,
) {
  const stepStarts = stepOffsets(sources, firstRedealt, trainPack, worldSize, stepCount);
  const sampleIds = new Int32Array(stepStarts[worldSize * stepCount]!);
  const isPadding = new Uint8Array(sampleIds.length);
  for (let first = 0; first < worldSize; first += RANK_BLOCK) {
    const last = Math.min(first + RANK_BLOCK, worldSize);
    for (let s = 0; s < stepCount; s++) {
      for (let r = first; r < last; r++) {
        const pack = trainPack[s * worldSize + r]!;
        const { members, packStarts } = pack < firstRedealt ? sources[0] : sources[1];
        const local = pack < firstRedealt ? pack : pack - firstRedealt;
        const from = stepStarts[r * stepCount + s]!;
        let at = from;
        // A plain loop, not subarray + set: no view object per pack across millions of packs.
        for (let j = packStarts[local]!; j < packStarts[local + 1]!; j++) sampleIds[at++] = members[j]!;
        if (paddingAt[s * worldSize + r]) isPadding.fill(1, from, at);
      }
    }
  }
  const rankStarts = new Float64Array(worldSize + 1);
  for (let r = 0; r <= worldSize; r++) rankStarts[r] = stepStarts[r * stepCount]!;
  return { sampleIds, isPadding, rankStarts, stepStarts };
}

/** Row offset of every (rank, step): rows within each rank first (blocked as above), then each rank's base. */
function stepOffsets(
  sources: readonly [FlatPacks, FlatPacks],
  firstRedealt: number,
  trainPack: Int32Array,
  worldSize: number,
  stepCount: number,
): Float64Array {
  const stepStarts = new Float64Array(worldSize * stepCount + 1);
  const rankRows = new Float64Array(worldSize);
  for (let first = 0; first < worldSize; first += RANK_BLOCK) {
    const last = Math.min(first + RANK_BLOCK, worldSize);
    for (let s = 0; s < stepCount; s++) {
      for (let r = first; r < last; r++) {
        const pack = trainPack[s * worldSize + r]!;
        const { packStarts } = pack < firstRedealt ? sources[0] : sources[1];
        const local = pack < firstRedealt ? pack : pack - firstRedealt;
        stepStarts[r * stepCount + s] = rankRows[r]!;
        rankRows[r]! += packStarts[local + 1]! - packStarts[local]!;
      }
    }
  }
  let base = 0;
  for (let r = 0; r < worldSize; r++) {
    for (let s = 0; s < stepCount; s++) stepStarts[r * stepCount + s]! += base;
    base += rankRows[r]!;
  }
  stepStarts[worldSize * stepCount] = base;
  return stepStarts;
}
