import { sourceRotation } from './rotation.js';

/** The id of the drawing rule, written into every mixed plan's manifest: a new rule is a new id. */
export const MIXTURE_RULE_ID = 'mixture-rotation@1';

/** One epoch's multiset of samples, and what each source contributed. */
export interface EpochMultiset {
  /** Sample ids in ascending order, each repeated as often as it is drawn: the epoch's population. */
  readonly population: Int32Array;
  /** Per source: entries drawn and distinct samples among them. */
  readonly perSource: readonly { readonly drawn: number; readonly distinct: number }[];
}

/**
 * Draw an epoch's multiset. A source of n samples asked for c entries gives every sample
 * k = ⌊c/n⌋ times and m = c − k·n of them once more. Which m: those whose position in the
 * source's rotation (a seeded order fixed for the run, see {@link sourceRotation}) falls in the
 * window [(epoch·m) mod n, +m) — successive epochs take successive windows, so a source
 * down-sampled to m per epoch is seen whole within ⌈n/m⌉ epochs before any sample is drawn twice.
 * One pass over the index in id order writes the population directly. Pure: (source column,
 * counts, seed, epoch) → the same multiset; resume and reshard reuse it.
 */
export function drawEpochMultiset(sourceIndex: Int32Array, counts: readonly number[], seed: bigint, epoch: number): EpochMultiset {
  const sources = counts.length;
  const sizes = new Float64Array(sources);
  for (let id = 0; id < sourceIndex.length; id++) sizes[sourceIndex[id]!]! += 1;
  const whole = new Float64Array(sources);
  const extra = new Float64Array(sources);
  const windowStart = new Float64Array(sources);
  const stride = new Float64Array(sources);
  const position = new Float64Array(sources);
  let total = 0;
  for (let s = 0; s < sources; s++) {
    const n = sizes[s]!;
    const count = n === 0 ? 0 : counts[s]!;
    total += count;
    if (n === 0) continue;
    whole[s] = Math.floor(count / n);
    extra[s] = count - whole[s]! * n;
    // (epoch · m) mod n exactly, for any epoch < 2^32.
    windowStart[s] = Number((BigInt(epoch) * BigInt(extra[s]!)) % BigInt(n));
    const rotation = sourceRotation(n, seed, s);
    stride[s] = rotation.stride;
    position[s] = rotation.offset;
  }
  const population = new Int32Array(total);
  let at = 0;
  for (let id = 0; id < sourceIndex.length; id++) {
    const s = sourceIndex[id]!;
    const n = sizes[s]!;
    const p = position[s]!;
    let distance = p - windowStart[s]!;
    if (distance < 0) distance += n;
    const copies = whole[s]! + (distance < extra[s]! ? 1 : 0);
    const next = p + stride[s]!;
    position[s] = next >= n ? next - n : next;
    for (let c = 0; c < copies; c++) population[at++] = id;
  }
  const perSource = Array.from({ length: sources }, (_, s) => ({ drawn: sizes[s] === 0 ? 0 : counts[s]!, distinct: whole[s]! > 0 ? sizes[s]! : extra[s]! }));
  return { population, perSource };
}
