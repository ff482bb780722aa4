/**
 * Splitting text at special tokens, so that template constants between them are encoded once.
 *
 * Why this can be exact: HF tokenizers (fast and slow) cut special/added tokens out of the input
 * BEFORE normalising, pre-tokenizing and running the model, then process each remaining section on
 * its own; so `encode(a + S + b) = encode(a) ++ [id(S)] ++ encode(b)`. Known exceptions: tokens
 * declared with `lstrip`/`rstrip` (they swallow neighbouring spaces), and SentencePiece's
 * `prepend_scheme: first` / LLaMA `legacy=False`, which gives the first section a `▁` but not the
 * sections after a special token. Neither can be read off our Tokenizer port, so each token is
 * VERIFIED on the tokenizer itself with probes placed to trip exactly those exceptions (spaces and
 * newlines on both sides, a word right after the token); a token that fails is never split at and
 * its texts are encoded whole, as upstream does.
 */
import type { Tokenizer } from '../tokenize/tokenizer.js';

// Left and right neighbours: empty, word, word + trailing space/newline, leading space/newline.
const LEFT_PROBES = ['', 'a', 'a ', 'a\n', ' ', '\n', 'x.'];
const RIGHT_PROBES = ['', 'b', ' b', '\nb', ' ', '\n', '.y'];

/** Whether two id arrays are equal. */
function sameIds(a: Int32Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * The subset of `candidates` the tokenizer encodes in isolation, with their ids. One encodeBatch
 * call; run once per (template, tokenizer).
 */
export async function verifyIsolatedSpecialTokens(tokenizer: Tokenizer, candidates: readonly string[]): Promise<Map<string, number>> {
  const known = [...new Set(candidates)].flatMap((token) => {
    const id = tokenizer.tokenToId(token);
    return id === null ? [] : [{ token, id }];
  });
  const texts = [...LEFT_PROBES, ...RIGHT_PROBES];
  for (const { token } of known) {
    texts.push(token);
    for (const left of LEFT_PROBES) for (const right of RIGHT_PROBES) texts.push(left + token + right);
  }
  const encoded = await tokenizer.encodeBatch(texts);
  const leftIds = encoded.slice(0, LEFT_PROBES.length);
  const rightIds = encoded.slice(LEFT_PROBES.length, LEFT_PROBES.length + RIGHT_PROBES.length);
  const isolated = new Map<string, number>();
  let next = LEFT_PROBES.length + RIGHT_PROBES.length;
  for (const { token, id } of known) {
    let ok = sameIds(encoded[next++]!, [id]);
    for (const left of leftIds) {
      for (const right of rightIds) ok = sameIds(encoded[next++]!, [...left, id, ...right]) && ok;
    }
    if (ok) isolated.set(token, id);
  }
  return isolated;
}

/** A text cut at special tokens: text sections (strings) and special ids (numbers), in order. */
export type Segments = (string | number)[];

const NEXT_AT: number[] = [];
const NAMES = new WeakMap<ReadonlyMap<string, number>, readonly string[]>();

/** The token strings of a map, listed once per map. */
function tokenNames(tokens: ReadonlyMap<string, number>): readonly string[] {
  let names = NAMES.get(tokens);
  if (names === undefined) NAMES.set(tokens, (names = [...tokens.keys()]));
  return names;
}

/**
 * Cut `text` at every occurrence of the given tokens (leftmost first; the longest token wins at
 * the same position, as HF's added-token matcher does) and append the parts to `out`. Empty text
 * sections are dropped: they encode to nothing.
 */
export function splitAtSpecialTokens(text: string, tokens: ReadonlyMap<string, number>, out: Segments): void {
  if (tokens.size === 0) {
    if (text !== '') out.push(text);
    return;
  }
  const names = tokenNames(tokens);
  // Next occurrence of each token at or after `position`; refreshed only once passed. Reused
  // scratch (this runs for every text of a batch, synchronously).
  const nextAt = NEXT_AT;
  nextAt.length = names.length;
  for (let t = 0; t < names.length; t++) nextAt[t] = text.indexOf(names[t]!);
  let position = 0;
  for (;;) {
    let best = -1;
    for (let t = 0; t < names.length; t++) {
      if (nextAt[t]! >= 0 && nextAt[t]! < position) nextAt[t] = text.indexOf(names[t]!, position);
      const at = nextAt[t]!;
      if (at < 0) continue;
      const bestAt = best < 0 ? -1 : nextAt[best]!;
      if (best < 0 || at < bestAt || (at === bestAt && names[t]!.length > names[best]!.length)) best = t;
    }
    if (best < 0) break;
    const at = nextAt[best]!;
    if (at > position) out.push(text.slice(position, at));
    out.push(tokens.get(names[best]!)!);
    position = at + names[best]!.length;
  }
  if (position < text.length) out.push(text.slice(position));
}
