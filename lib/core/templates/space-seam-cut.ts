/**
 * Cutting text at space seams (lib/core/tokenize/space-seams.ts) next to a template's role words.
 *
 * Why: LLaVA `preprocess_v1` measures each round's instruction by tokenizing
 * `parts[0] + " ASSISTANT: "` on its own — about a third more text than the prompt itself. When
 * the tokenizer provably encodes the two sides of a space independently, `"… ASSISTANT: answer"` is
 * encoded as `"…"`, `"ASSISTANT:"` and `"answer"`, and the instruction probe
 * `"… ASSISTANT: "` becomes `"…"`, `"ASSISTANT:"` and the lone-space id: the same slots, no extra
 * text, identical ids. Only the spaces right before and after a marker (`USER:`, `ASSISTANT:`) are
 * cut, so texts stay about one turn long.
 */
import { spaceSeamsOf, type SpaceSeams } from '../tokenize/space-seams.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import type { Segments } from './special-tokens.js';

/** Space seams bound to a template's markers, verified on the tokenizer. */
export interface SeamCutter extends SpaceSeams {
  /** Words whose neighbouring spaces are cut at (non-empty, no spaces at their ends). */
  readonly markers: readonly string[];
}

const SPACE = 0x20;
const SPACE_SYMBOL = 0x2581; // ▁

/** Whether a cut may follow this character: the rule needs a left neighbour that is not a space. */
function endsSeam(code: number): boolean {
  return code !== SPACE && code !== SPACE_SYMBOL;
}

/** Whether the engine would cut the text at an added token first (then it is never cut here). */
function holdsAddedToken(text: string, addedTokens: readonly string[]): boolean {
  for (const token of addedTokens) if (text.includes(token)) return true;
  return false;
}

/** The next occurrence of any marker at or after `from`: [start, end), or null. */
function nextMarker(text: string, markers: readonly string[], from: number): [number, number] | null {
  let best: [number, number] | null = null;
  for (const marker of markers) {
    const at = text.indexOf(marker, from);
    if (at >= 0 && (best === null || at < best[0])) best = [at, at + marker.length];
  }
  return best;
}

/**
 * Append `text` to `out` as parts whose encodings, concatenated, are `encode(text)`: cut at the
 * space before and after each marker where the seam rule allows; a trailing cut space becomes the
 * lone-space id. `text` must hold no isolated special token (cut those first).
 */
export function cutAtSpaceSeams(text: string, cutter: SeamCutter, out: Segments): void {
  if (holdsAddedToken(text, cutter.addedTokens)) {
    out.push(text);
    return;
  }
  let partStart = 0;
  for (let found = nextMarker(text, cutter.markers, 0); found !== null; found = nextMarker(text, cutter.markers, found[1])) {
    const [start, end] = found;
    const before = start - 1;
    if (before > partStart && text.charCodeAt(before) === SPACE && endsSeam(text.charCodeAt(before - 1))) {
      out.push(text.slice(partStart, before));
      partStart = before + 1;
    }
    // The marker's own last character ends the seam (markers never end in a space).
    if (end > partStart && text.charCodeAt(end) === SPACE) {
      out.push(text.slice(partStart, end));
      partStart = end + 1;
      if (partStart === text.length) out.push(cutter.spaceId);
    }
  }
  if (partStart < text.length) out.push(text.slice(partStart));
}

// Left texts end in a seam character; right texts start in every way a text can.
const LEFT_PROBES = ['a', 'x.', '?', '\n', 'é', '日本', 'a▁b', '1', '"'];
const RIGHT_PROBES = ['b', ' b', '  b', '\nb', '\n', ' ', 'B.', '▁b', 'é', '日本', '12', '<'];

/** Whether two id arrays are equal. */
function sameIds(a: Int32Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * The tokenizer's proved space seams bound to `markers`, after checking the rule on the tokenizer
 * itself (one encodeBatch): a proof that does not hold on these probes — an engine that disagrees
 * with its file — is not used. Null when unproved, unverified, or there are no markers.
 */
export async function bindSpaceSeams(tokenizer: Tokenizer, markers: readonly string[]): Promise<SeamCutter | null> {
  const seams = spaceSeamsOf(tokenizer);
  // A marker must not begin or end with a space: the cuts are the spaces around it.
  const valid = markers.every((m) => m !== '' && endsSeam(m.charCodeAt(0)) && endsSeam(m.charCodeAt(m.length - 1)));
  if (seams === null || markers.length === 0 || !valid) return null;
  const lefts = [...LEFT_PROBES, ...markers];
  const rights = [...RIGHT_PROBES, ...markers];
  const pairs = lefts.flatMap((left) => rights.map((right) => left + ' ' + right));
  const encoded = await tokenizer.encodeBatch([...lefts, ...rights, ...lefts.map((left) => left + ' '), ...pairs]);
  const leftIds = encoded.slice(0, lefts.length);
  const rightIds = encoded.slice(lefts.length, lefts.length + rights.length);
  let next = lefts.length + rights.length;
  let ok = leftIds.every((ids) => sameIds(encoded[next++]!, [...ids, seams.spaceId]));
  for (const left of leftIds) for (const right of rightIds) ok = sameIds(encoded[next++]!, [...left, ...right]) && ok;
  return ok ? { ...seams, markers } : null;
}
