/**
 * OBELICS-style documents (parallel `texts` / `images` lists, exactly one non-null per position)
 * → one document Conversation.
 */
import { z } from 'zod';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import { acceptDocument, mustBe, reasonFromZod, recordIdSchema, rejectWith, textTooLong, type ConvertOptions, type ConvertResult } from './source-format.js';
import { wellFormedString } from './text-checks.js';

/** One OBELICS document. `metadata` and `general_metadata` are ignored. */
export const obelicsRecordSchema = z.object({
  id: recordIdSchema.optional(),
  texts: z.array(wellFormedString(z.string(mustBe('a string or null'))).nullable(), mustBe('a list of texts and nulls')),
  images: z.array(
    wellFormedString(z.string(mustBe('an image URL/path or null')).min(1, { error: 'an image reference must not be empty' })).nullable(),
    mustBe('a list of images and nulls'),
  ),
});
/** A validated OBELICS document. */
export type ObelicsRecord = z.infer<typeof obelicsRecordSchema>;

/** What joins consecutive pieces (texts and `<image>` placeholders) of an OBELICS document. */
export const OBELICS_SEPARATOR = '\n';

/**
 * Walk the lists in order: a text is kept (with a literal `<image>` escaped to `<IMAGE>`, as VILA
 * does for web text), an image becomes `<image>`; pieces are joined with a newline.
 */
export function convertObelicsRecord(raw: unknown, options: ConvertOptions): ConvertResult {
  const parsed = obelicsRecordSchema.safeParse(raw);
  if (!parsed.success) return rejectWith(reasonFromZod(parsed.error));
  const { texts, images: imageSlots } = parsed.data;
  if (texts.length !== imageSlots.length) {
    const what = `${texts.length} texts but ${imageSlots.length} images; the lists are parallel and must have equal length`;
    return rejectWith(`texts, images: ${what}`);
  }
  if (texts.length === 0) return rejectWith('texts, images: empty document');
  const pieces: string[] = [];
  const images: string[] = [];
  for (let k = 0; k < texts.length; k++) {
    const text = texts[k]!,
      image = imageSlots[k]!;
    if ((text === null) === (image === null)) {
      const both = text === null ? 'both are null' : 'both are set';
      return rejectWith(`texts[${k}], images[${k}]: ${both}; exactly one must be non-null at each position`);
    }
    if (image !== null) {
      pieces.push(IMAGE_PLACEHOLDER);
      images.push(image);
      continue;
    }
    const tooLong = textTooLong(['texts', k], text!, options);
    if (tooLong !== null) return rejectWith(tooLong);
    pieces.push(text!.replaceAll(IMAGE_PLACEHOLDER, '<IMAGE>'));
  }
  const text = pieces.join(OBELICS_SEPARATOR);
  return acceptDocument(parsed.data.id, text, images);
}
