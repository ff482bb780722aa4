/**
 * Proving, from a tokenizer.json, the space-seam rule of `lib/core/tokenize/space-seams.ts`:
 * `encode(a + " " + b) = encode(a) ++ encode(b)` when `a` ends in neither a space nor `▁` (and
 * `encode(a + " ") = encode(a) ++ [id("▁")]`), for texts holding no added token.
 *
 * The proof covers the legacy LLaMA/SentencePiece shape (LLaMA-1/2, Vicuna, LLaVA-1.5) and nothing
 * else; any other file gets `null`, and its texts are encoded whole. The file must have:
 * 1. normalizer exactly Prepend("▁") then Replace(" " → "▁"), and no pre-tokenizer: the whole text
 *    is one BPE word, and normalize(a + " " + b) = normalize(a) ++ normalize(b);
 * 2. a plain BPE model (no dropout, no subword prefix/suffix, no `ignore_merges` shortcut), `▁` in
 *    its vocabulary;
 * 3. no merge of a left piece that does not end in `▁` with a right piece that starts with `▁`:
 *    then no merge ever crosses such a seam, and in priority-ordered BPE each side performs exactly
 *    the merges it would perform alone;
 * 4. added tokens that a text without their strings cannot contain after normalization either
 *    (a normalized one must hold no space and no `▁`), so such a text reaches the model whole —
 *    whatever their lstrip/rstrip flags, which only act where a token occurs.
 */
import { z } from 'zod';
import type { SpaceSeams } from '../core/tokenize/space-seams.js';

const SPACE_SYMBOL = '▁';

// Exactly what transformers' LlamaConverter writes for a legacy tokenizer; extra keys could change
// the behaviour, so the normalizer steps are strict. (derive-non-legacy-prefix.ts requires it too.)
export const legacyNormalizerSchema = z.object({
  type: z.literal('Sequence'),
  normalizers: z.tuple([
    z.object({ type: z.literal('Prepend'), prepend: z.literal(SPACE_SYMBOL) }).strict(),
    z.object({ type: z.literal('Replace'), pattern: z.object({ String: z.literal(' ') }).strict(), content: z.literal(SPACE_SYMBOL) }).strict(),
  ]),
});

const plainBpeSchema = z.object({
  type: z.literal('BPE'),
  dropout: z.null().optional(),
  continuing_subword_prefix: z.union([z.null(), z.literal('')]).optional(),
  end_of_word_suffix: z.union([z.null(), z.literal('')]).optional(),
  ignore_merges: z.literal(false).optional(),
  vocab: z.record(z.string(), z.number()),
  merges: z.array(z.unknown()),
});

const addedTokenSchema = z.object({ content: z.string().min(1), normalized: z.boolean().optional() });

const legacySentencePieceSchema = z.object({
  normalizer: legacyNormalizerSchema,
  pre_tokenizer: z.null().optional(),
  model: plainBpeSchema,
  added_tokens: z.array(addedTokenSchema).default([]),
});

/** A merge as `[left, right]`: tokenizer.json writes `"left right"` (old) or `["left", "right"]` (new). */
function mergePair(merge: unknown): readonly [string, string] | null {
  if (typeof merge === 'string') {
    const parts = merge.split(' ');
    return parts.length === 2 ? [parts[0]!, parts[1]!] : null;
  }
  if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') {
    return [merge[0], merge[1]];
  }
  return null;
}

/** Condition 3: no merge joins across a (not `▁`) | (`▁`) seam; every merge readable. */
function mergesKeepSeams(merges: readonly unknown[]): boolean {
  for (const merge of merges) {
    const pair = mergePair(merge);
    if (pair === null) return false;
    if (!pair[0].endsWith(SPACE_SYMBOL) && pair[1].startsWith(SPACE_SYMBOL)) return false;
  }
  return true;
}

/** Condition 4: a token matched after normalization must not be creatable by it (from a space). */
function addedTokensMatchRaw(tokens: ReadonlyArray<z.infer<typeof addedTokenSchema>>): boolean {
  return tokens.every((token) => token.normalized === false || !/[ ▁]/.test(token.content));
}

/**
 * The space seams a tokenizer.json provably has, or null when the file is not of the proved shape.
 * Run once per tokenizer load (a linear pass over the merges).
 */
export function proveSpaceSeams(tokenizerJson: Record<string, unknown>): SpaceSeams | null {
  const parsed = legacySentencePieceSchema.safeParse(tokenizerJson);
  if (!parsed.success) return null;
  const { model, added_tokens: addedTokens } = parsed.data;
  const spaceId = Object.hasOwn(model.vocab, SPACE_SYMBOL) ? model.vocab[SPACE_SYMBOL]! : null;
  if (spaceId === null || !addedTokensMatchRaw(addedTokens) || !mergesKeepSeams(model.merges)) return null;
  return { spaceId, addedTokens: addedTokens.map((token) => token.content) };
}
