/** Whether this platform stores a float64's low 32-bit word first (all current JS engines do). */
const LOW_WORD_FIRST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const DIGIT_BITS = 8;
const DIGITS = 1 << DIGIT_BITS;
const DIGIT_MASK = DIGITS - 1;

/** Indices ordered by cost, highest first (ties by index), and the costs in that order. */
export interface CostOrder {
  readonly order: Int32Array;
  readonly sortedCosts: Float64Array;
}

/**
 * Order `costs` highest first, ties by index: an LSD radix sort on the IEEE bits (non-negative
 * doubles order as unsigned 64-bit integers), eight 8-bit passes that move each key with its
 * index (sequential reads, 256 write streams), skipping digits every key shares. Millions of
 * packs sort in a few linear passes instead of a comparator sort. Costs must be ≥ 0, not NaN.
 */
export function orderByCostDescending(costs: Float64Array): CostOrder {
  const count = costs.length;
  let keys = costs.slice();
  let order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let keysAlt = new Float64Array(count);
  let orderAlt = new Int32Array(count);
  const counts = new Float64Array(DIGITS);
  for (let digit = 0; digit < 8; digit++) {
    const words = new Uint32Array(keys.buffer);
    const word = digit < 4 === LOW_WORD_FIRST ? 0 : 1;
    const shift = (digit & 3) * DIGIT_BITS;
    if (!countDigits(words, count, word, shift, counts)) continue;
    const wordsAlt = new Uint32Array(keysAlt.buffer);
    for (let k = 0; k < count; k++) {
      const slot = counts[DIGIT_MASK - ((words[k * 2 + word]! >>> shift) & DIGIT_MASK)]!++;
      wordsAlt[slot * 2] = words[k * 2]!;
      wordsAlt[slot * 2 + 1] = words[k * 2 + 1]!;
      orderAlt[slot] = order[k]!;
    }
    [keys, keysAlt] = [keysAlt, keys];
    [order, orderAlt] = [orderAlt, order];
  }
  return { order, sortedCosts: keys };
}

/**
 * Count each digit (mapped high to low, for a descending order) and turn the counts into start
 * offsets. Returns false when every key has the same digit: the pass would change nothing.
 */
function countDigits(words: Uint32Array, count: number, word: number, shift: number, counts: Float64Array): boolean {
  counts.fill(0);
  for (let k = 0; k < count; k++) counts[DIGIT_MASK - ((words[k * 2 + word]! >>> shift) & DIGIT_MASK)]!++;
  let start = 0;
  let used = 0;
  for (let d = 0; d < DIGITS; d++) {
    const c = counts[d]!;
    if (c > 0) used++;
    counts[d] = start;
    start += c;
  }
  return used > 1;
}
