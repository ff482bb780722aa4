import { Float64List, Int32List } from './growable-lists.js';
import { sampleCost } from './pack-cost.js';
import type { FlatPacks } from './pack-list.js';

/** Steps whose packs' costs differ more than this (max ÷ mean − 1) get their samples re-dealt. */
export const REBALANCE_THRESHOLD = 0.02;

/** What a re-dealt pack must respect, and how cost is counted. */
export interface RedealLimits {
  readonly maxTokens: number;
  readonly imageCap: number | null;
  readonly numImages: ArrayLike<number> | null;
  readonly costLinearWeight: number;
}

/** Packs made by re-dealing; their ids continue after the original packs'. */
export class RedealtPacks {
  readonly members = new Int32List();
  readonly starts = new Int32List();
  /** Each pack's cost (pack-cost.ts). */
  readonly costs = new Float64List();
  constructor(readonly firstId: number) {
    this.starts.push(0);
  }

  /** Packs appended so far. */
  get count(): number {
    return this.costs.length;
  }

  /** Drop the packs appended after the first `count` (a re-deal that was not kept). */
  truncate(count: number): void {
    this.members.length = this.starts.at(count);
    this.starts.length = count + 1;
    this.costs.length = count;
  }

  /** Append one pack of this cost; returns its id. */
  append(ids: readonly number[], cost: number): number {
    for (const id of ids) this.members.push(id);
    this.starts.push(this.members.length);
    this.costs.push(cost);
    return this.firstId + this.starts.length - 2;
  }

  /** The packs as a flat list (pack firstId + k is pack k here). */
  toFlatPacks(): FlatPacks {
    return { members: this.members.toArray(), packStarts: this.starts.toArray() };
  }
}

/** Some packs of one step, as small per-pack lists (only uneven steps get here, so a few). */
interface StepPacks {
  readonly members: number[][];
  readonly costs: Float64Array;
  readonly tokens: Float64Array;
  readonly images: Float64Array;
}

/**
 * Even out one step whose packs' costs differ by more than 2% by moving samples between its
 * packs (a sparse stretch of pack costs, the under-filled packs of the cheap end). Steps:
 * 1. deal the samples again, costliest first, each to the cheapest pack with token and image room
 *    (LPT, as balanced@1 deals a micro-step); keep it if every pack got samples and it is more even;
 * 2. then, while the dearest pack can trade with a cheaper one (cheapest first), move or swap
 *    the sample(s) that bring the two closest to their mean (local search from the better of the two).
 * Kept only if the step comes out more even than `before`; then `group` names the new packs.
 * A step of W single-sample packs (the longest samples) cannot be helped and stays as it is.
 * Returns the step's imbalance afterwards (`before` when nothing was kept).
 */
export function redealStep(group: Int32Array, packs: FlatPacks, totalTokens: Int32Array, limits: RedealLimits, out: RedealtPacks, before: number): number {
  if (group.length < 2) return before;
  const current = Array.from(group, (pack) => Array.from(packs.members.subarray(packs.packStarts[pack]!, packs.packStarts[pack + 1]!)));
  const start = measure(current, totalTokens, limits);
  const dealt = dealLongestFirst(current.flat(), current.length, totalTokens, limits);
  const best = dealt && imbalanceOf(dealt.costs) < imbalanceOf(start.costs) ? dealt : start;
  tradeUntilEven(best, totalTokens, limits);
  const after = imbalanceOf(best.costs);
  if (after >= before) return before;
  best.members.forEach((ids, k) => {
    group[k] = out.append(ids, best.costs[k]!);
  });
  return after;
}

/** max ÷ mean − 1 of some costs (0 when all are 0). */
export function imbalanceOf(costs: ArrayLike<number>): number {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < costs.length; i++) {
    sum += costs[i]!;
    if (costs[i]! > max) max = costs[i]!;
  }
  return sum === 0 ? 0 : max / (sum / costs.length) - 1;
}

/** Step 1: LPT with token and image room; null when a sample finds no room or a pack stays empty. */
function dealLongestFirst(ids: number[], packCount: number, totalTokens: Int32Array, limits: RedealLimits): StepPacks | null {
  const cost = (id: number) => sampleCost(totalTokens[id]!, limits.costLinearWeight);
  ids.sort((a, b) => cost(b) - cost(a) || a - b);
  const dealt = measure(
    Array.from({ length: packCount }, () => []),
    totalTokens,
    limits,
  );
  for (const id of ids) {
    let best = -1;
    for (let p = 0; p < packCount; p++) {
      if (!fits(dealt, p, totalTokens[id]!, imagesOf(id, limits), limits)) continue;
      if (best < 0 || dealt.costs[p]! < dealt.costs[best]!) best = p;
    }
    if (best < 0) return null;
    add(dealt, best, id, 1, totalTokens, limits);
  }
  return dealt.members.some((m) => m.length === 0) ? null : dealt;
}

/**
 * Step 2: trade between the dearest pack and the cheapest one it can trade with, while some
 * trade lowers the dearest; a pair that cannot trade (no sample fits) does not end the search.
 */
function tradeUntilEven(step: StepPacks, totalTokens: Int32Array, limits: RedealLimits): void {
  const packCount = step.members.length;
  for (let round = 0; round < 4 * packCount; round++) {
    let dear = 0;
    step.costs.forEach((c, p) => {
      if (c > step.costs[dear]!) dear = p;
    });
    const cheapestFirst = Array.from({ length: packCount }, (_, p) => p).sort((a, b) => step.costs[a]! - step.costs[b]! || a - b);
    if (!cheapestFirst.some((cheap) => cheap !== dear && tradeOnce(step, dear, cheap, totalTokens, limits))) return;
  }
}

/**
 * The single move (a from dear to cheap) or swap (a for b) whose cost shift is nearest half the
 * gap between the two packs, if it lowers the dearer one; false if there is none.
 */
function tradeOnce(step: StepPacks, dear: number, cheap: number, totalTokens: Int32Array, limits: RedealLimits): boolean {
  const gap = step.costs[dear]! - step.costs[cheap]!;
  const cost = (id: number) => sampleCost(totalTokens[id]!, limits.costLinearWeight);
  let best: [number, number] | null = null;
  let bestMiss = Infinity;
  const consider = (a: number, b: number, shift: number) => {
    const miss = Math.abs(shift - gap / 2);
    if (shift > 0 && shift < gap && miss < bestMiss) [best, bestMiss] = [[a, b], miss];
  };
  for (const a of step.members[dear]!) {
    if (step.members[dear]!.length > 1 && fits(step, cheap, totalTokens[a]!, imagesOf(a, limits), limits)) consider(a, -1, cost(a));
    for (const b of step.members[cheap]!) {
      const tokenShift = totalTokens[a]! - totalTokens[b]!;
      const imageShift = imagesOf(a, limits) - imagesOf(b, limits);
      if (fits(step, cheap, tokenShift, imageShift, limits) && fits(step, dear, -tokenShift, -imageShift, limits)) consider(a, b, cost(a) - cost(b));
    }
  }
  if (best === null) return false;
  const [a, b] = best as [number, number];
  add(step, dear, a, -1, totalTokens, limits);
  add(step, cheap, a, 1, totalTokens, limits);
  if (b >= 0) {
    add(step, cheap, b, -1, totalTokens, limits);
    add(step, dear, b, 1, totalTokens, limits);
  }
  return true;
}

function measure(members: number[][], totalTokens: Int32Array, limits: RedealLimits): StepPacks {
  const step: StepPacks = {
    members: members.map((): number[] => []),
    costs: new Float64Array(members.length),
    tokens: new Float64Array(members.length),
    images: new Float64Array(members.length),
  };
  members.forEach((ids, p) => ids.forEach((id) => add(step, p, id, 1, totalTokens, limits)));
  return step;
}

/** Add (sign 1) or remove (sign −1) a sample from pack p. */
function add(step: StepPacks, p: number, id: number, sign: 1 | -1, totalTokens: Int32Array, limits: RedealLimits): void {
  const members = step.members[p]!;
  if (sign > 0) members.push(id);
  else members.splice(members.indexOf(id), 1);
  step.costs[p]! += sign * sampleCost(totalTokens[id]!, limits.costLinearWeight);
  step.tokens[p]! += sign * totalTokens[id]!;
  step.images[p]! += sign * imagesOf(id, limits);
}

/** Whether pack p can take `tokens` more tokens and `images` more images. */
function fits(step: StepPacks, p: number, tokens: number, images: number, limits: RedealLimits): boolean {
  if (step.tokens[p]! + tokens > limits.maxTokens) return false;
  return limits.imageCap === null || step.images[p]! + images <= limits.imageCap;
}

function imagesOf(id: number, limits: RedealLimits): number {
  return limits.imageCap === null ? 0 : limits.numImages![id]!;
}
