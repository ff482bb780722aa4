import { readWhole, type DrawnMultiset } from './drawn-multiset.js';
import { RotationDraw } from './multiset-reader.js';
import { drawCounts, drawnTotal, sourceDraws, sourceSizes, type SourceDraw, type SourceDrawCounts } from './source-draws.js';

/** The id of the drawing rule, written into every mixed plan's manifest: a new rule is a new id. */
export const MIXTURE_RULE_ID = 'mixture-rotation@1';

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
 * source's rotation (a seeded order fixed for the run, see sourceRotation) falls in the
 * window [(epoch·m) mod n, +m) — successive epochs take successive windows, so a source
 * down-sampled to m per epoch is seen whole within ⌈n/m⌉ epochs before any sample is drawn twice.
 * Pure: (source column, counts, seed, epoch) → the same copies; resume, reshard and the audit
 * recompute it. One sequential pass, run by run of same-source ids, state in locals.
 */
export function drawEpochCopies(sourceIndex: Int32Array, counts: readonly number[], seed: bigint, epoch: number): EpochCopies {
  const draws = sourceDraws(sourceSizes(sourceIndex, counts.length), counts, seed, epoch);
  const positions = draws.map((d) => d.offset);
  const copies = new Int32Array(sourceIndex.length);
  let id = 0;
  while (id < sourceIndex.length) {
    const source = sourceIndex[id]!;
    let end = id + 1;
    while (end < sourceIndex.length && sourceIndex[end] === source) end++;
    positions[source] = drawRun(copies, id, end, draws[source]!, positions[source]!);
    id = end;
  }
  return { copies, total: drawnTotal(draws), perSource: drawCounts(draws) };
}

/**
 * Draw an epoch's multiset as a reader (see {@link DrawnMultiset}): the same entries as
 * {@link drawEpochMultiset}, produced piece by piece as a planner consumes them.
 */
export function drawEpoch(
  sourceIndex: Int32Array,
  counts: readonly number[],
  seed: bigint,
  epoch: number,
  sizes: readonly number[] = sourceSizes(sourceIndex, counts.length),
): { drawn: DrawnMultiset; perSource: SourceDrawCounts } {
  const draws = sourceDraws(sizes, counts, seed, epoch);
  return { drawn: new RotationDraw(sourceIndex, draws, drawnTotal(draws)), perSource: drawCounts(draws) };
}

/**
 * Draw an epoch's multiset: {@link drawEpochCopies}, each id written as often as it is drawn, in
 * ascending order (the population every strategy plans as an index of those entries). It is
 * {@link drawEpoch} read whole, so the streamed and the materialised draw agree by construction.
 */
export function drawEpochMultiset(
  sourceIndex: Int32Array,
  counts: readonly number[],
  seed: bigint,
  epoch: number,
  sizes: readonly number[] = sourceSizes(sourceIndex, counts.length),
): EpochMultiset {
  const { drawn, perSource } = drawEpoch(sourceIndex, counts, seed, epoch, sizes);
  return { population: readWhole(drawn), perSource };
}

/** Copies of samples [from, to) of one source, from rotation position `position`; returns the position after them. */
function drawRun(copies: Int32Array, from: number, to: number, draw: SourceDraw, position: number): number {
  const { size, whole, extra, windowStart, stride } = draw;
  if (extra === 0) {
    // Every sample the same: no window to test, only the rotation to advance.
    copies.fill(whole, from, to);
    return (position + Number((BigInt(to - from) * BigInt(stride)) % BigInt(size))) % size;
  }
  let at = position;
  for (let id = from; id < to; id++) {
    let distance = at - windowStart;
    if (distance < 0) distance += size;
    copies[id] = distance < extra ? whole + 1 : whole;
    at += stride;
    if (at >= size) at -= size;
  }
  return at;
}
