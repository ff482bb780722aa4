/**
 * An optional capability of a tokenizer: encoding the text that directly follows a special token
 * the way transformers 4.31's slow `LlamaTokenizer` does with `legacy=False` — the tokenizer that
 * trained LLaVA-1.5 (Vicuna-7B-v1.5 sets `"legacy": false`; LLaVA pins transformers 4.31.0).
 *
 * In one tokenizer call, that tokenizer cuts the text at added tokens and runs SentencePiece on
 * each section (dummy prefix `▁` included). For a section that is not the first one and does not
 * start with a space (or `▁`, which it turns into a space first), its `_tokenize` then strips the
 * `▁` off the FIRST piece and looks the rest up: `</s>USER:` → `</s>`, `US` (3308), `ER`, `:`
 * where the legacy tokenizer gives `▁US` (3148). A first piece that was `▁` alone is dropped;
 * a stripped piece missing from the vocabulary becomes `<unk>` (`sp_model.piece_to_id`).
 *
 * So the non-legacy ids of such a section are its legacy ids with only the first one mapped. The
 * `Tokenizer` port cannot show the vocabulary, so an adapter that derived the map from a legacy
 * LLaMA tokenizer.json exposes it.
 */
import type { Tokenizer } from './tokenizer.js';

/** Marks a first piece that was a lone `▁`: transformers drops it. */
export const DROPPED_PIECE = -1;

/** What an adapter derived from its tokenizer file. */
export interface NonLegacyPrefix {
  /**
   * Per id: the id of its piece without the leading `▁` (`DROPPED_PIECE` for a lone `▁`, the unk
   * id when the rest is not a piece); ids whose piece has no leading `▁` map to themselves. Ids at
   * or past the end map to themselves.
   */
  readonly strippedIds: Int32Array;
  /** Added-token strings: the sections are cut at every one of them. */
  readonly addedTokens: readonly string[];
}

/** A tokenizer whose adapter states whether it can encode the non-legacy way. */
export interface NonLegacyPrefixTokenizer extends Tokenizer {
  /** Null when the tokenizer file is not of the shape the map is derived for. */
  readonly nonLegacyPrefix: NonLegacyPrefix | null;
}

/**
 * The tokenizer's non-legacy map: the map, null when its adapter states it has none, undefined
 * when the adapter does not say (test doubles, engines without vocabulary access).
 */
export function nonLegacyPrefixOf(tokenizer: Tokenizer): NonLegacyPrefix | null | undefined {
  return 'nonLegacyPrefix' in tokenizer ? ((tokenizer as NonLegacyPrefixTokenizer).nonLegacyPrefix ?? null) : undefined;
}

/** The non-legacy id of the first piece of a section (`DROPPED_PIECE`: leave it out). */
export function strippedFirstId(prefix: NonLegacyPrefix, id: number): number {
  return id >= 0 && id < prefix.strippedIds.length ? prefix.strippedIds[id]! : id;
}
