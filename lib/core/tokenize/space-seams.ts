/**
 * An optional capability of a tokenizer: text can be cut at a space and its halves encoded on
 * their own, with the same ids. The `Tokenizer` port cannot show this (it hides the vocabulary), so
 * an adapter that has PROVED it from the tokenizer's files exposes it; templates use it to encode
 * the instruction and the answer of a round once, instead of once in the round and again in
 * LLaVA's instruction probe.
 *
 * The rule, for a text T that contains no added-token string, and a space T[i] (i ≥ 1) whose left
 * neighbour T[i−1] is neither a space nor `▁`:
 *
 * ```
 * encode(T) = encode(T[0:i]) ++ encode(T[i+1:])      when i + 1 < |T|
 * encode(T) = encode(T[0:i]) ++ [spaceId]            when the space ends T
 * ```
 *
 * Why it can hold (legacy LLaMA/SentencePiece BPE): the normalizer turns T into `▁` + T with every
 * space as `▁`, so the normalized halves are exactly the halves' own normalized texts; and when no
 * BPE merge ever joins a piece ending in a non-`▁` character to one starting with `▁`, merges never
 * cross that seam, so each side merges exactly as it would alone.
 */
import type { Tokenizer } from './tokenizer.js';

/** What an adapter proved about its tokenizer (see the module comment for the rule). */
export interface SpaceSeams {
  /** Id of a lone `▁`: what a trailing space after a seam encodes to. */
  readonly spaceId: number;
  /** Added-token strings: the engine cuts at them before anything else, so a text holding one is never cut. */
  readonly addedTokens: readonly string[];
}

/** A tokenizer whose adapter states whether it proved space seams. */
export interface SpaceSeamTokenizer extends Tokenizer {
  /** Null when the proof does not apply to this tokenizer (then texts are encoded whole). */
  readonly spaceSeams: SpaceSeams | null;
}

/** The tokenizer's proved space seams, or null (unproved, or an adapter that does not say). */
export function spaceSeamsOf(tokenizer: Tokenizer): SpaceSeams | null {
  return 'spaceSeams' in tokenizer ? ((tokenizer as SpaceSeamTokenizer).spaceSeams ?? null) : null;
}
