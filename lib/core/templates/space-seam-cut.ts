/**
 * Cutting text into words at space seams (lib/core/tokenize/space-seams.ts), for tokenizers that
 * prove the seam rule.
 *
 * Why: the legacy LLaMA tokenizer.json has no pre-tokenizer, so the engine runs BPE over every
 * text whole and caches nothing; and LLaVA `preprocess_v1` tokenizes each round's instruction
 * (`parts[0] + " ASSISTANT: "`) a second time to measure it. Cut at its seams, a text is a list of
 * words whose encodings concatenate to the text's encoding; words repeat (Zipf), so a batch's
 * unique words are a small fraction of its text, and an instruction probe is made of words the
 * prompt already has, plus the lone-space id. Same ids, much less text for the engine.
 */
import { spaceSeamsOf, type SpaceSeams } from '../tokenize/space-seams.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import type { Segments } from './special-tokens.js';

const SPACE = 0x20;
const SPACE_SYMBOL = 0x2581; // ▁

/** Whether the engine would cut the text at an added token first (then it is never cut here). */
function holdsAddedToken(text: string, addedTokens: readonly string[]): boolean {
  for (const token of addedTokens) if (text.includes(token)) return true;
  return false;
}

/**
 * The words of `text` cut at its space seams — every space whose left neighbour is neither a space
 * nor `▁`, the space itself dropped — written to `bounds` from index 0 as [start, end) pairs; a
 * trailing cut space is the pair [length, length] and stands for the lone-space id. Returns the
 * number of words, or 0 when no space is cut or the text holds an added token. The words'
 * encodings, concatenated, are `encode(text)`. (`bounds` is written, never truncated, so a reused
 * array keeps its capacity: this runs for every text of a batch.)
 */
export function spaceSeamWords(text: string, seams: SpaceSeams, bounds: number[]): number {
  if (text.indexOf(' ', 1) < 0 || holdsAddedToken(text, seams.addedTokens)) return 0;
  let count = 0;
  let start = 0;
  for (let i = text.indexOf(' ', 1); i >= 0; i = text.indexOf(' ', i + 1)) {
    const left = text.charCodeAt(i - 1);
    if (left === SPACE || left === SPACE_SYMBOL) continue;
    bounds[count++] = start;
    bounds[count++] = i;
    start = i + 1;
  }
  if (start === 0) return 0;
  bounds[count++] = start;
  bounds[count++] = text.length;
  return count / 2;
}

/** The words of `text` as strings (the lone-space id for a trailing cut space); [] when not cut. */
export function cutAtSpaceSeams(text: string, seams: SpaceSeams): Segments {
  const bounds: number[] = [];
  const count = spaceSeamWords(text, seams, bounds);
  const words: Segments = [];
  for (let k = 0; k < 2 * count; k += 2) words.push(bounds[k] === text.length ? seams.spaceId : text.slice(bounds[k], bounds[k + 1]));
  return words;
}

// Left texts end in a seam character; right texts start in every way a text can.
const LEFT_PROBES = ['a', 'x.', '?', '\n', 'é', '日本', 'a▁b', '1', '"', 'ASSISTANT:', 'USER:'];
const RIGHT_PROBES = ['b', ' b', '  b', '\nb', '\n', ' ', 'B.', '▁b', 'é', '日本', '12', '<', 'ASSISTANT:'];

/** Whether two id arrays are equal. */
function sameIds(a: Int32Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * The tokenizer's proved space seams, after checking the rule on the tokenizer itself (one
 * encodeBatch): a proof these probes refute — an engine that disagrees with its file — is not
 * used. Null when unproved or refuted.
 */
export async function bindSpaceSeams(tokenizer: Tokenizer): Promise<SpaceSeams | null> {
  const seams = spaceSeamsOf(tokenizer);
  if (seams === null) return null;
  const pairs = LEFT_PROBES.flatMap((left) => RIGHT_PROBES.map((right) => `${left} ${right}`));
  const encoded = await tokenizer.encodeBatch([...LEFT_PROBES, ...RIGHT_PROBES, ...LEFT_PROBES.map((left) => `${left} `), ...pairs]);
  const leftIds = encoded.slice(0, LEFT_PROBES.length);
  const rightIds = encoded.slice(LEFT_PROBES.length, LEFT_PROBES.length + RIGHT_PROBES.length);
  let next = LEFT_PROBES.length + RIGHT_PROBES.length;
  let ok = leftIds.every((ids) => sameIds(encoded[next++]!, [...ids, seams.spaceId]));
  for (const left of leftIds) for (const right of rightIds) ok = sameIds(encoded[next++]!, [...left, ...right]) && ok;
  return ok ? seams : null;
}
