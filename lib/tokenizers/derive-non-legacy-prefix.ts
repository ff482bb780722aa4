/**
 * Deriving, from a tokenizer.json, the map that turns legacy ids into transformers 4.31's
 * non-legacy ids for a section that follows a special token (lib/core/tokenize/non-legacy-prefix.ts).
 *
 * Only for the legacy LLaMA/SentencePiece shape (LLaMA-1/2, Vicuna, LLaVA-1.5): normalizer exactly
 * Prepend("▁") then Replace(" " → "▁"), no pre-tokenizer, a BPE model with its vocabulary and an
 * `<unk>`-style unk token. That engine encodes a section exactly as SentencePiece does with its
 * dummy prefix (tokenizers.md, parity), so the non-legacy ids are the legacy ones with the first
 * piece stripped of its `▁` — which needs only the vocabulary. Any other file gets null.
 */
import { z } from 'zod';
import { DROPPED_PIECE, type NonLegacyPrefix } from '../core/tokenize/non-legacy-prefix.js';
import { legacyNormalizerSchema } from './prove-space-seams.js';

const SPACE_SYMBOL = '▁';

const legacyLlamaSchema = z.object({
  normalizer: legacyNormalizerSchema,
  pre_tokenizer: z.null().optional(),
  model: z.object({
    type: z.literal('BPE'),
    unk_token: z.string().min(1),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
  }),
  added_tokens: z.array(z.object({ content: z.string().min(1) })).default([]),
});

/** The non-legacy map of a legacy LLaMA tokenizer.json, or null when the file has another shape. */
export function deriveNonLegacyPrefix(tokenizerJson: Record<string, unknown>): NonLegacyPrefix | null {
  const parsed = legacyLlamaSchema.safeParse(tokenizerJson);
  if (!parsed.success) return null;
  const { vocab, unk_token: unkToken } = parsed.data.model;
  if (!Object.hasOwn(vocab, unkToken)) return null;
  const unkId = vocab[unkToken]!;
  const pieces = Object.entries(vocab);
  const size = pieces.reduce((max, [, id]) => Math.max(max, id + 1), 0);
  const strippedIds = Int32Array.from({ length: size }, (_, id) => id);
  for (const [piece, id] of pieces) {
    if (!piece.startsWith(SPACE_SYMBOL)) continue;
    const rest = piece.slice(SPACE_SYMBOL.length);
    // sp_model.piece_to_id gives the unk id for a piece it does not know.
    strippedIds[id] = rest === '' ? DROPPED_PIECE : Object.hasOwn(vocab, rest) ? vocab[rest]! : unkId;
  }
  return { strippedIds, addedTokens: parsed.data.added_tokens.map((token) => token.content) };
}
