/**
 * A set of integers in [0, size) answering "smallest member ≥ x" in a few word operations: a
 * bitset plus summary levels (bit w of level k+1 is set while word w of level k is non-zero), so
 * a search climbs at most log32(size) levels and descends by count-trailing-zeros. For 8,192
 * capacities that is 3 levels; best-fit packing asks it once per sample.
 */
export class SuccessorBitset {
  private readonly levels: Uint32Array[] = [];

  constructor(size: number) {
    let bits = Math.max(size, 1);
    do {
      const words = (bits + 31) >>> 5;
      this.levels.push(new Uint32Array(words));
      bits = words;
    } while (bits > 1);
  }

  /** Add i to the set. */
  add(i: number): void {
    let index = i;
    for (const level of this.levels) {
      const word = index >>> 5;
      const before = level[word]!;
      level[word] = before | (1 << (index & 31));
      // The levels above already know this word is non-empty.
      if (before !== 0) return;
      index = word;
    }
  }

  /** Remove i from the set. */
  delete(i: number): void {
    let index = i;
    for (const level of this.levels) {
      const word = index >>> 5;
      const after = level[word]! & ~(1 << (index & 31));
      level[word] = after;
      if (after !== 0) return;
      index = word;
    }
  }

  /** The smallest member ≥ from, or −1 if there is none. */
  successor(from: number): number {
    const { levels } = this;
    let index = from;
    let level = 0;
    // Climb until some word holds a member at or after the position (shifting -1 by 31 keeps bit 31 only).
    for (; level < levels.length; level++) {
      const word = index >>> 5;
      if (word >= levels[level]!.length) return -1;
      const bits = levels[level]![word]! & (-1 << (index & 31));
      if (bits !== 0) {
        index = (word << 5) | lowestBit(bits);
        break;
      }
      index = word + 1;
    }
    if (level === levels.length) return -1;
    // Descend: every summary bit points at a non-empty word; take its lowest member.
    for (level--; level >= 0; level--) index = (index << 5) | lowestBit(levels[level]![index]!);
    return index;
  }
}

/** Index of the lowest set bit of a non-zero 32-bit word. */
export function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}
