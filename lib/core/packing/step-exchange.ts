import { REBALANCE_THRESHOLD } from './step-rebalance.js';

/** A step lending packs to an uneven one stays at or under this imbalance (max ÷ mean − 1). */
export const LENDER_LIMIT = REBALANCE_THRESHOLD / 4;
/** The uneven step stops borrowing once it is as even as its lenders may become. */
const EXCHANGE_TARGET = LENDER_LIMIT;

/** One group's packs (slots into `grouped`), cheapest first, with its running sum and maximum. */
interface GroupState {
  readonly slots: number[];
  readonly costs: number[];
  sum: number;
  max: number;
  /** Next slot (index into `slots`) to hand over. */
  next: number;
}

/**
 * Even out group `g` of the cost order (`grouped[g·W …]`, packs' costs by `costOf`) that
 * re-dealing its samples left over 2%, by exchanging whole packs with the dearer groups before it.
 * Such a group straddles a cliff of pack costs: a few packs of the full level (e.g. ≈ 4,090
 * tokens) and many of a lower one (the under-filled packs of 6 × ~610-token samples that are the
 * whole packing waste of a 665K-shaped corpus at 4,096), with samples too lumpy to move cost
 * between them. Its cheapest packs are swapped, one for one, with the cheapest packs of the
 * groups g − 1, g − 2, … (never group 0): the uneven group's mean rises to its maximum, and each
 * lender takes a few cheap packs, which lowers its mean a little and leaves its maximum as it was
 * (a step is uneven when one pack is dearer than the rest, not when one is cheaper). A lender
 * lends until it would pass {@link LENDER_LIMIT}. Only plans: the swaps are made by {@link applyExchange}.
 */
export function planExchangeWithDearerGroups(
  grouped: Int32Array,
  worldSize: number,
  g: number,
  costOf: (pack: number) => number,
  lendable: (pack: number) => boolean,
): PackExchange {
  const uneven = loadGroup(grouped, worldSize, g, costOf);
  const n = uneven.slots.length;
  const start = imbalanceOfState(uneven);
  // Swaps are planned first, then the prefix that leaves group g most even is made: the first
  // swaps may raise its maximum (a lender's pack dearer than all of g's) before the mean catches up.
  const swaps: number[] = [];
  let best = start;
  let bestCount = 0;
  let lenderIndex = g - 1;
  let lender = lenderIndex >= 1 ? loadGroup(grouped, worldSize, lenderIndex, costOf) : null;
  while (best > EXCHANGE_TARGET && uneven.next < n && lender !== null) {
    const lenderCount = lender.slots.length;
    const theirs = lender.slots[lender.next]!;
    const x = uneven.costs[uneven.next]!;
    const y = lender.costs[lender.next]!;
    // A lender out of cheap packs (its dearest is never lent), with no pack dearer than ours, or
    // at its limit: try the next one. Packs made by re-dealing are not lent.
    const lenderAfter = lender.max / ((lender.sum - y + x) / lenderCount) - 1;
    if (lender.next >= lenderCount - 1 || y <= x || y >= lender.max || lenderAfter > LENDER_LIMIT) {
      lenderIndex--;
      lender = lenderIndex >= 1 ? loadGroup(grouped, worldSize, lenderIndex, costOf) : null;
      continue;
    }
    if (!lendable(grouped[theirs]!)) {
      lender.next++;
      continue;
    }
    swaps.push(uneven.slots[uneven.next]!, theirs);
    uneven.sum += y - x;
    uneven.max = Math.max(uneven.max, y);
    lender.sum += x - y;
    uneven.next++;
    lender.next++;
    const after = imbalanceOfState(uneven);
    if (after < best) [best, bestCount] = [after, swaps.length / 2];
  }
  return { imbalance: best, swaps: swaps.slice(0, 2 * bestCount) };
}

/** Swaps of packs between positions of the cost order, and the uneven group's imbalance after them. */
export interface PackExchange {
  readonly imbalance: number;
  /** Pairs of positions in `grouped`: [mine, theirs, mine, theirs, …]. */
  readonly swaps: readonly number[];
}

/** Make the swaps of an exchange in `grouped`. */
export function applyExchange(grouped: Int32Array, exchange: PackExchange): void {
  for (let k = 0; k < exchange.swaps.length; k += 2) {
    const mine = exchange.swaps[k]!;
    const theirs = exchange.swaps[k + 1]!;
    const pack = grouped[mine]!;
    grouped[mine] = grouped[theirs]!;
    grouped[theirs] = pack;
  }
}

function loadGroup(grouped: Int32Array, worldSize: number, g: number, costOf: (pack: number) => number): GroupState {
  const from = g * worldSize;
  const to = Math.min(from + worldSize, grouped.length);
  const slots = Array.from({ length: to - from }, (_, i) => from + i);
  const bySlot = new Map(slots.map((slot) => [slot, costOf(grouped[slot]!)]));
  slots.sort((a, b) => bySlot.get(a)! - bySlot.get(b)! || a - b);
  const costs = slots.map((slot) => bySlot.get(slot)!);
  return { slots, costs, sum: costs.reduce((a, b) => a + b, 0), max: costs[costs.length - 1]!, next: 0 };
}

function imbalanceOfState(group: GroupState): number {
  return group.sum === 0 ? 0 : group.max / (group.sum / group.slots.length) - 1;
}
