import { sourceRotation } from './rotation.js';

/** The id of the drawing rule, written into every mixed plan's manifest: a new rule is a new id. */
export const MIXTURE_RULE_ID = 'mixture-rotation@1';

/** What each source contributed to an epoch's draw. */
export type SourceDrawCounts = readonly { readonly drawn: number; readonly distinct: number }[];

/** One epoch's multiset of samples, and what each source contributed. */
export interface EpochMultiset {
  /** Sample ids in ascending order, each repeated as often as it is drawn: the epoch's population. */
  readonly population: Int32Array;
  /** Per source: entries drawn and distinct samples among them. */
  readonly perSource: SourceDrawCounts;
}

/** One epoch's draw as a count per sample: what the planner expands and the audit holds shards to. */
export interface EpochCopies {
  /** copies[id]: how often sample id is drawn this epoch. */
  readonly copies: Int32Array;
  /** Sum of copies. */
  readonly total: number;
  readonly perSource: SourceDrawCounts;
}

/**
 * Draw an epoch's copies. A source of n samples asked for c entries gives every sample
 * k = ⌊c/n⌋ times and m = c − k·n of them once more. Which m: those whose position in the
 * source's rotation (a seeded order fixed for the run, see {@link sourceRotation}) falls in the
 * window [(epoch·m) mod n, +m) — successive epochs take successive windows, so a source
 * down-sampled to m per epoch is seen whole within ⌈n/m⌉ epochs before any sample is drawn twice.
 * Pure: (source column, counts, seed, epoch) → the same copies; resume, reshard and the audit
 * recompute it. One sequential pass, run by run of same-source ids, state in locals.
 */
export function drawEpochCopies(sourceIndex: Int32Array, counts: readonly number[], seed: bigint, epoch: number): EpochCopies {
  const draws = sourceDraws(sourceSizes(sourceIndex, counts.length), counts, seed, epoch);
  const copies = new Int32Array(sourceIndex.length);
  let id = 0;
  while (id < sourceIndex.length) {
    const draw = draws[sourceIndex[id]!]!;
    let end = id + 1;
    while (end < sourceIndex.length && sourceIndex[end] === sourceIndex[id]) end++;
    draw.position = drawRun(copies, id, end, draw);
    id = end;
  }
  let total = 0;
  for (const draw of draws) total += draw.count;
  return { copies, total, perSource: draws.map((d) => ({ drawn: d.count, distinct: d.whole > 0 ? d.size : d.extra })) };
}

/**
 * Draw an epoch's multiset: {@link drawEpochCopies}, each id written as often as it is drawn, in
 * ascending order (the population every strategy plans as an index of those entries). One pass
 * writes the ids directly (no copies array: at 100M samples every array allocated is time).
 * `spareEntries` reserves room after the population in its buffer (see planMultiset).
 */
export function drawEpochMultiset(
  sourceIndex: Int32Array,
  counts: readonly number[],
  seed: bigint,
  epoch: number,
  sizes: readonly number[] = sourceSizes(sourceIndex, counts.length),
  spareEntries = 0,
): EpochMultiset {
  const draws = sourceDraws(sizes, counts, seed, epoch);
  let total = 0;
  for (const draw of draws) total += draw.count;
  // Spare capacity (never touched here) lets a planner reuse the buffer for an epoch padded longer.
  const population = new Int32Array(total + spareEntries).subarray(0, total);
  let at = 0;
  let id = 0;
  while (id < sourceIndex.length) {
    const draw = draws[sourceIndex[id]!]!;
    let end = id + 1;
    while (end < sourceIndex.length && sourceIndex[end] === sourceIndex[id]) end++;
    at = writeRun(population, at, id, end, draw);
    id = end;
  }
  return { population, perSource: draws.map((d) => ({ drawn: d.count, distinct: d.whole > 0 ? d.size : d.extra })) };
}

/** A source's draw parameters, and where its rotation is as the pass walks its samples. */
interface SourceDraw {
  readonly size: number;
  readonly count: number;
  readonly whole: number;
  readonly extra: number;
  readonly windowStart: number;
  readonly stride: number;
  position: number;
}

/** Samples of each source in the index. */
export function sourceSizes(sourceIndex: Int32Array, sources: number): number[] {
  const sizes = new Array<number>(sources).fill(0);
  for (let id = 0; id < sourceIndex.length; id++) sizes[sourceIndex[id]!]! += 1;
  return sizes;
}

function sourceDraws(sizes: readonly number[], counts: readonly number[], seed: bigint, epoch: number): SourceDraw[] {
  return counts.map((asked, s) => {
    const size = sizes[s]!;
    if (size === 0) return { size, count: 0, whole: 0, extra: 0, windowStart: 0, stride: 1, position: 0 };
    const whole = Math.floor(asked / size);
    const extra = asked - whole * size;
    // (epoch · m) mod n exactly, for any epoch < 2^32.
    const windowStart = Number((BigInt(epoch) * BigInt(extra)) % BigInt(size));
    const rotation = sourceRotation(size, seed, s);
    return { size, count: asked, whole, extra, windowStart, stride: rotation.stride, position: rotation.offset };
  });
}

/** Copies of samples [from, to) of one source; returns the rotation position after them. */
function drawRun(copies: Int32Array, from: number, to: number, draw: SourceDraw): number {
  const { size, whole, extra, windowStart, stride } = draw;
  let position = draw.position;
  if (extra === 0) {
    // Every sample the same: no window to test, only the rotation to advance.
    copies.fill(whole, from, to);
    return (position + Number((BigInt(to - from) * BigInt(stride)) % BigInt(size))) % size;
  }
  for (let id = from; id < to; id++) {
    let distance = position - windowStart;
    if (distance < 0) distance += size;
    copies[id] = distance < extra ? whole + 1 : whole;
    position += stride;
    if (position >= size) position -= size;
  }
  return position;
}

/** Samples [from, to) of one source written into the population as often as drawn; returns the next free slot. */
function writeRun(population: Int32Array, at: number, from: number, to: number, draw: SourceDraw): number {
  const { size, whole, extra, windowStart, stride } = draw;
  let position = draw.position;
  let next = at;
  for (let id = from; id < to; id++) {
    let distance = position - windowStart;
    if (distance < 0) distance += size;
    for (let c = distance < extra ? whole + 1 : whole; c > 0; c--) population[next++] = id;
    position += stride;
    if (position >= size) position -= size;
  }
  draw.position = position;
  return next;
}
