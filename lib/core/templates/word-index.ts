/**
 * A hash table of strings that is queried with a RANGE of a longer text: a hit compares characters
 * in place and allocates nothing. A batch cut into words makes one lookup per word — hundreds of
 * thousands per chunk, nearly all hits — and slicing each word into a string for a `Map` cost
 * more than the tokenizer engine saved.
 */

/** FNV-1a over the UTF-16 code units of `text[start:end)`. */
export function hashRange(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Whether `key` equals `text[start:end)`. */
function equalsRange(key: string, text: string, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = start; i < end; i++) if (key.charCodeAt(i - start) !== text.charCodeAt(i)) return false;
  return true;
}

/** Strings → non-negative values, by open addressing with linear probing. */
export class WordIndex {
  private mask = 1023;
  private hashes = new Int32Array(this.mask + 1);
  private values = new Int32Array(this.mask + 1).fill(-1);
  private keys: string[] = new Array<string>(this.mask + 1);
  private size = 0;

  /**
   * The value of `text[start:end)`; on a miss, `create(word)` makes it (the only time the range is
   * sliced into a string) and it is stored.
   */
  lookupOrAdd(text: string, start: number, end: number, create: (word: string) => number): number {
    const hash = hashRange(text, start, end);
    let at = hash & this.mask;
    for (let value = this.values[at]!; value >= 0; value = this.values[at]!) {
      if (this.hashes[at] === hash && equalsRange(this.keys[at]!, text, start, end)) return value;
      at = (at + 1) & this.mask;
    }
    const word = start === 0 && end === text.length ? text : text.slice(start, end);
    const value = create(word);
    this.hashes[at] = hash;
    this.values[at] = value;
    this.keys[at] = word;
    if (++this.size * 2 > this.mask) this.grow();
    return value;
  }

  /** Double the capacity, re-placing every entry by its stored hash. */
  private grow(): void {
    const { hashes, values, keys } = this;
    this.mask = this.mask * 2 + 1;
    this.hashes = new Int32Array(this.mask + 1);
    this.values = new Int32Array(this.mask + 1).fill(-1);
    this.keys = new Array<string>(this.mask + 1);
    for (let old = 0; old < values.length; old++) {
      if (values[old]! < 0) continue;
      let at = hashes[old]! & this.mask;
      while (this.values[at]! >= 0) at = (at + 1) & this.mask;
      this.hashes[at] = hashes[old]!;
      this.values[at] = values[old]!;
      this.keys[at] = keys[old]!;
    }
  }
}
