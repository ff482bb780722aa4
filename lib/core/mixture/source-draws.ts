import { sourceRotation } from './rotation.js';

/** What each source contributed to an epoch's draw. */
export type SourceDrawCounts = readonly { readonly drawn: number; readonly distinct: number }[];

/**
 * One source's draw parameters for an epoch: every sample `whole` times, and once more those whose
 * rotation position falls in [windowStart, windowStart + extra). Sample i of the source (in index
 * order) sits at rotation position (offset + i·stride) mod size.
 */
export interface SourceDraw {
  readonly size: number;
  readonly count: number;
  readonly whole: number;
  readonly extra: number;
  readonly windowStart: number;
  readonly stride: number;
  readonly offset: number;
}

/**
 * Samples of each source in the index, counted run by run of same-source ids: the scan only
 * compares, where a counter incremented per sample waits on its own last store (≈ 4 ns a sample).
 */
export function sourceSizes(sourceIndex: Int32Array, sources: number): number[] {
  const sizes = new Array<number>(sources).fill(0);
  const samples = sourceIndex.length;
  let id = 0;
  while (id < samples) {
    const source = sourceIndex[id]!;
    let end = id + 1;
    while (end < samples && sourceIndex[end] === source) end++;
    sizes[source]! += end - id;
    id = end;
  }
  return sizes;
}

/** Each source's draw parameters, from its size and the entries asked of it this epoch. */
export function sourceDraws(sizes: readonly number[], counts: readonly number[], seed: bigint, epoch: number): SourceDraw[] {
  return counts.map((asked, s) => {
    const size = sizes[s]!;
    if (size === 0) return { size, count: 0, whole: 0, extra: 0, windowStart: 0, stride: 1, offset: 0 };
    const whole = Math.floor(asked / size);
    const extra = asked - whole * size;
    // (epoch · m) mod n exactly, for any epoch < 2^32.
    const windowStart = Number((BigInt(epoch) * BigInt(extra)) % BigInt(size));
    const rotation = sourceRotation(size, seed, s);
    return { size, count: asked, whole, extra, windowStart, stride: rotation.stride, offset: rotation.offset };
  });
}

/** Per source: entries drawn and distinct samples among them. */
export function drawCounts(draws: readonly SourceDraw[]): SourceDrawCounts {
  return draws.map((d) => ({ drawn: d.count, distinct: d.whole > 0 ? d.size : d.extra }));
}

/** Entries drawn over all sources. */
export function drawnTotal(draws: readonly SourceDraw[]): number {
  let total = 0;
  for (const draw of draws) total += draw.count;
  return total;
}
