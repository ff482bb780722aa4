import { FeistelPermutation } from './feistel-permutation.js';

/** The id of the drawing rule, written into every mixed plan's manifest: a new rule is a new id. */
export const MIXTURE_RULE_ID = 'mixture-rotation@1';

/** Domain-separation word of the mixture's permutations ("mix1"). */
const MIXTURE_TAG = 0x6d697831;

/** One epoch's multiset of samples, and what each source contributed. */
export interface EpochMultiset {
  /** Sample ids in ascending order, each repeated as often as it is drawn: the epoch's population. */
  readonly population: Int32Array;
  /** Per source: entries drawn and distinct samples among them. */
  readonly perSource: readonly { readonly drawn: number; readonly distinct: number }[];
}

/**
 * Draw an epoch's multiset. A source of n samples asked for c entries gives every sample
 * k = ⌊c/n⌋ times and m = c − k·n of them once more. Which m is a *rotation*: a seeded permutation
 * of the source, fixed for the run, read from position (epoch·m) mod n on — so successive epochs
 * take successive windows, and a source down-sampled to m per epoch is seen whole within
 * ⌈n/m⌉ epochs before any sample is drawn twice (no starvation, no per-epoch reshuffle needed).
 * Pure: (sourceIndex, counts, seed, epoch) → the same multiset; resume and reshard reuse it.
 */
export function drawEpochMultiset(sourceIndex: Int32Array, counts: readonly number[], seed: bigint, epoch: number): EpochMultiset {
  const members = samplesBySource(sourceIndex, counts.length);
  const copies = new Uint32Array(sourceIndex.length);
  const perSource = counts.map((count, source) => drawSource(members[source]!, count, copies, seed, source, epoch));
  return { population: expandCopies(copies), perSource };
}

function drawSource(ids: Int32Array, count: number, copies: Uint32Array, seed: bigint, source: number, epoch: number): { drawn: number; distinct: number } {
  const n = ids.length;
  if (n === 0 || count === 0) return { drawn: 0, distinct: 0 };
  const whole = Math.floor(count / n);
  const extra = count - whole * n;
  for (let i = 0; i < n; i++) copies[ids[i]!] = whole;
  if (extra > 0) {
    const rotation = new FeistelPermutation(n, [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn), source, MIXTURE_TAG]);
    // (epoch · extra) mod n without overflowing a double for any epoch < 2^32 and n ≤ 2^31.
    const start = Number((BigInt(epoch) * BigInt(extra)) % BigInt(n));
    for (let j = 0; j < extra; j++) copies[ids[rotation.at((start + j) % n)]!]! += 1;
  }
  return { drawn: count, distinct: whole > 0 ? n : extra };
}

/** Sample ids grouped by source, ascending within each (a counting sort: O(samples)). */
function samplesBySource(sourceIndex: Int32Array, sources: number): Int32Array[] {
  const sizes = new Int32Array(sources);
  for (let id = 0; id < sourceIndex.length; id++) sizes[sourceIndex[id]!]! += 1;
  const members = Array.from(sizes, (size) => new Int32Array(size));
  const fill = new Int32Array(sources);
  for (let id = 0; id < sourceIndex.length; id++) {
    const source = sourceIndex[id]!;
    members[source]![fill[source]!++] = id;
  }
  return members;
}

function expandCopies(copies: Uint32Array): Int32Array {
  let total = 0;
  for (let id = 0; id < copies.length; id++) total += copies[id]!;
  const population = new Int32Array(total);
  let at = 0;
  for (let id = 0; id < copies.length; id++) for (let c = copies[id]!; c > 0; c--) population[at++] = id;
  return population;
}
