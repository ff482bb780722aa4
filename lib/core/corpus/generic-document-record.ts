/**
 * The generic interleaved document, for corpora that are neither MMC4 nor OBELICS:
 * `{"id"?: string | integer, "segments": [{"text": "..."} | {"image": "path"}, ...]}`.
 * Segments are concatenated verbatim — no separator is added — so the author controls every
 * character the tokenizer sees; each image segment becomes one `<image>` placeholder.
 */
import { z } from 'zod';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import {
  acceptDocument,
  countPlaceholders,
  describeValue,
  mustBe,
  reasonFromZod,
  recordIdSchema,
  rejectWith,
  textTooLong,
  type ConvertOptions,
  type ConvertResult,
} from './source-format.js';
import { wellFormedString } from './text-checks.js';

const segmentSchema = z.union([z.object({ text: wellFormedString() }).strict(), z.object({ image: wellFormedString(z.string().min(1)) }).strict()], {
  error: (issue) => `must be {"text": string} or {"image": non-empty path}, got ${describeSegment(issue.input)}`,
});

/** One generic document; keys other than `id` and `segments` are ignored. */
export const genericDocumentSchema = z.object({
  id: recordIdSchema.optional(),
  segments: z.array(segmentSchema, mustBe('a list of segments')).min(1, { error: 'empty document; give at least one segment' }),
});
/** A validated generic document. */
export type GenericDocument = z.infer<typeof genericDocumentSchema>;

function describeSegment(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return describeValue(value);
  const keys = Object.keys(value);
  return keys.length === 0 ? 'an empty object' : `an object with keys (${keys.slice(0, 6).join(', ')})`;
}

/** Convert a generic document; a literal `<image>` inside a text segment is rejected as ambiguous. */
export function convertGenericDocument(raw: unknown, options: ConvertOptions): ConvertResult {
  const parsed = genericDocumentSchema.safeParse(raw);
  if (!parsed.success) return rejectWith(reasonFromZod(parsed.error));
  let text = '';
  const images: string[] = [];
  for (let k = 0; k < parsed.data.segments.length; k++) {
    const segment = parsed.data.segments[k]!;
    if ('image' in segment) {
      text += IMAGE_PLACEHOLDER;
      images.push(segment.image);
      continue;
    }
    const tooLong = textTooLong(['segments', k, 'text'], segment.text, options);
    if (tooLong !== null) return rejectWith(tooLong);
    if (countPlaceholders(segment.text) > 0) {
      return rejectWith(`segments[${k}].text: contains the literal placeholder <image>; use an {"image": path} segment instead`);
    }
    text += segment.text;
  }
  // Adjacent text segments can still spell a placeholder ("<ima" + "ge>").
  if (countPlaceholders(text) !== images.length) {
    return rejectWith('segments: adjacent text segments spell a literal <image>; split them differently');
  }
  return acceptDocument(parsed.data.id, text, images);
}
