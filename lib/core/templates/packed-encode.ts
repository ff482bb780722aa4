/**
 * Encoding many short texts as few long ones. Tokenizer engines pay a fixed cost per text (the
 * native HF binding ~10 µs: one Encoding object and one id array per text crossing into JS), and a
 * templated batch has many short texts — two per turn in XTuner's scheme. When a special token S
 * is verified isolated (special-tokens.ts), `encode(a + S + b) = encode(a) ++ [id(S)] ++ encode(b)`,
 * so texts joined with S and encoded once give each text's exact ids between the S ids. Texts
 * never contain S (they were cut at every isolated token). Should a pack not come back with
 * exactly one S id per seam, its texts are encoded one by one instead: never a wrong id.
 */
import type { Tokenizer } from '../tokenize/tokenizer.js';

/** Characters per packed text: long enough to amortise the per-text cost, short enough to spread over threads. */
export const PACK_CHARS = 4096;

/** A verified isolated special token used to join texts. */
export interface PackSeparator {
  readonly token: string;
  readonly id: number;
}

/** Group consecutive texts into packs of about PACK_CHARS characters. */
function planPacks(texts: readonly string[]): number[] {
  const starts: number[] = [];
  let chars = PACK_CHARS;
  texts.forEach((text, i) => {
    if (chars + text.length > PACK_CHARS) {
      starts.push(i);
      chars = 0;
    }
    chars += text.length;
  });
  starts.push(texts.length);
  return starts;
}

/** Cut a pack's ids at the separator id into `count` views (no copies), or null if the seams don't match. */
function unpack(ids: Int32Array, separatorId: number, count: number): Int32Array[] | null {
  const parts: Int32Array[] = [];
  let start = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== separatorId) continue;
    parts.push(ids.subarray(start, i));
    start = i + 1;
  }
  parts.push(ids.subarray(start));
  return parts.length === count ? parts : null;
}

/**
 * `tokenizer.encodeBatch(texts)`, computed from packed texts when a separator is given. Same
 * result, element for element; one encodeBatch call (two if a pack had to be unpacked by hand).
 */
export async function encodeTextsPacked(tokenizer: Tokenizer, texts: readonly string[], separator: PackSeparator | null): Promise<Int32Array[]> {
  if (texts.length === 0) return [];
  if (separator === null) return tokenizer.encodeBatch(texts);
  const starts = planPacks(texts);
  const packs: string[] = [];
  for (let p = 0; p + 1 < starts.length; p++) packs.push(texts.slice(starts[p], starts[p + 1]).join(separator.token));
  const encodedPacks = await tokenizer.encodeBatch(packs);
  const out = new Array<Int32Array>(texts.length);
  const loose: number[] = [];
  encodedPacks.forEach((ids, p) => {
    const first = starts[p]!;
    const count = starts[p + 1]! - first;
    const parts = unpack(ids, separator.id, count);
    for (let k = 0; k < count; k++) {
      if (parts === null) loose.push(first + k);
      else out[first + k] = parts[k]!;
    }
  });
  if (loose.length > 0) {
    const single = await tokenizer.encodeBatch(loose.map((i) => texts[i]!));
    loose.forEach((i, k) => (out[i] = single[k]!));
  }
  return out;
}
