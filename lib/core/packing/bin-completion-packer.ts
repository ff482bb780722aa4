import type { SizePool } from './size-pool.js';
import type { Float64List, Int32List } from './growable-lists.js';
import { sampleCost } from './pack-cost.js';

/** Where packs go: members written at `length`, a start offset and a cost (pack-cost.ts) pushed per pack. */
export interface PackOutput {
  readonly members: Int32Array;
  length: number;
  readonly packStarts: Int32List;
  readonly packCosts: Float64List;
}

/** Pair sizes tried when closing a gap exactly with two samples. */
const PAIR_TRIES = 32;
/** Samples of one size looked at for one that fits the pack's image room. */
const IMAGE_PROBES = 8;
/** Sizes skipped (no sample fits the image room) before a pack is closed. */
const IMAGE_SKIPS = 16;

/**
 * Packs a mega-batch one pack at a time, "largest first, then complete exactly":
 * 1. open a pack with the largest sample left;
 * 2. while the gap g is open, let x be the largest size ≤ g left: if x = g, take it (exact);
 *    if two samples are needed (g ≤ 2x), look for a pair summing exactly to g, else take x;
 *    if more are needed (k = ⌈g / x⌉ ≥ 3), take the largest size ≤ g / k, splitting the gap
 *    evenly so the last two slots land where sizes are plentiful and an exact pair exists.
 * Plain best-fit/first-fit decreasing fills each gap with the largest sample, leaving the last
 * gaps below the smallest common size; on LLaVA-shaped data (few samples under the 576 image
 * tokens) that wastes ~2% at 4,096 tokens, this ~0.15%. With an image cap, a sample that would
 * exceed the pack's image room is skipped (a few probes per size), so the cap always holds.
 */
export class BinCompletionPacker {
  /** Cost of the open pack so far, summed as samples join (cheaper than re-reading them later). */
  private openCost = 0;

  constructor(
    private readonly maxTokens: number,
    private readonly imageCap: number | null,
    private readonly images: ArrayLike<number> | null,
    private readonly costLinearWeight: number,
  ) {}

  /** Pack samples of the pool into `out` until at most `keepAtMost` are left (0: all). */
  packPool(pool: SizePool, out: PackOutput, keepAtMost: number): void {
    while (pool.remaining > keepAtMost) this.packOne(pool, out);
  }

  private packOne(pool: SizePool, out: PackOutput): void {
    out.packStarts.push(out.length);
    this.openCost = 0;
    this.fillOne(pool, out);
    out.packCosts.push(this.openCost);
  }

  private fillOne(pool: SizePool, out: PackOutput): void {
    const first = pool.largestAtMost(this.maxTokens);
    let room = (this.imageCap ?? 0) - this.takeInto(pool, first, out);
    let gap = this.maxTokens - first;
    while (gap > 0 && pool.remaining > 0) {
      const largest = this.largestFitting(pool, gap, room);
      if (largest < 0) break;
      if (largest === gap) {
        this.takeInto(pool, largest, out);
        break;
      }
      const slots = Math.ceil(gap / largest);
      if (slots === 2 && this.takeExactPair(pool, gap, largest, room, out)) break;
      const size = slots === 2 ? largest : this.largestFitting(pool, Math.floor(gap / slots), room);
      const taken = size < 0 ? largest : size;
      room -= this.takeInto(pool, taken, out);
      gap -= taken;
    }
  }

  /** Take the next sample of this size into the open pack; returns its image count (0 uncapped). */
  private takeInto(pool: SizePool, size: number, out: PackOutput): number {
    const id = pool.take(size);
    out.members[out.length++] = id;
    this.openCost += sampleCost(size, this.costLinearWeight);
    return this.imageCap === null ? 0 : this.images![id]!;
  }

  /**
   * The largest size ≤ limit whose next sample fits the image room (brought to the front of
   * its bucket), or −1. Uncapped, the first size found.
   */
  private largestFitting(pool: SizePool, limit: number, room: number): number {
    let size = pool.largestAtMost(limit);
    if (this.imageCap === null) return size;
    for (let skips = 0; size > 0 && skips <= IMAGE_SKIPS; skips++) {
      const probes = Math.min(IMAGE_PROBES, pool.countOf(size));
      for (let k = 0; k < probes; k++) {
        if (this.images![pool.peek(size, k)]! <= room) {
          pool.promote(size, k);
          return size;
        }
      }
      size = pool.largestAtMost(size - 1);
    }
    return -1;
  }

  /** Close the gap with two samples a + b = gap (a ≤ largest, a ≥ b), trying the largest a first. */
  private takeExactPair(pool: SizePool, gap: number, largest: number, room: number, out: PackOutput): boolean {
    let a = largest;
    for (let tries = 0; tries < PAIR_TRIES && a > 0 && 2 * a >= gap; tries++) {
      const b = gap - a;
      if (pool.countOf(b) > (a === b ? 1 : 0) && this.pairFitsImages(pool, a, b, room)) {
        this.takeInto(pool, a, out);
        this.takeInto(pool, b, out);
        return true;
      }
      a = pool.largestAtMost(a - 1);
    }
    return false;
  }

  /** Whether the next samples of sizes a and b fit the image room together (no probing). */
  private pairFitsImages(pool: SizePool, a: number, b: number, room: number): boolean {
    if (this.imageCap === null) return true;
    const images = this.images!;
    return images[pool.peek(a)]! + images[pool.peek(b, a === b ? 1 : 0)]! <= room;
  }
}
