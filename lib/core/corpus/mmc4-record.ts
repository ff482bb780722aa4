/**
 * MMC4 documents (`allenai/mmc4` JSONL: `text_list` sentences + `image_info` with the sentence each
 * image matched) → one document Conversation, built exactly as VILA 1.5's `LazyMMC4Dataset`.
 */
import { z } from 'zod';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import {
  acceptDocument,
  countPlaceholders,
  mustBe,
  reasonFromZod,
  recordIdSchema,
  rejectWith,
  textTooLong,
  type ConvertOptions,
  type ConvertResult,
} from './source-format.js';
import { wellFormedString } from './text-checks.js';

const imageInfoSchema = z.object({
  image_name: wellFormedString(z.string(mustBe('an image name')).min(1, { error: 'an image name must not be empty' })),
  matched_text_index: z.int(mustBe('a sentence index (integer ≥ 0)')).min(0, mustBe('a sentence index (integer ≥ 0)')),
  matched_sim: z.number().nullish(),
});

/** One MMC4 document. `similarity_matrix`, `url`, `face_detections`, … are ignored, as VILA ignores them. */
export const mmc4RecordSchema = z.object({
  /** MMC4 has no id field; preprocessed copies sometimes add one. */
  id: recordIdSchema.optional(),
  text_list: z.array(wellFormedString(z.string(mustBe('a sentence string'))), mustBe('a list of sentences')),
  image_info: z.array(imageInfoSchema, mustBe('a list of images')),
});
/** A validated MMC4 document. */
export type Mmc4Record = z.infer<typeof mmc4RecordSchema>;

/**
 * VILA's rule: escape literal `<image>` in sentences as `<IMAGE>`; keep the first `mmc4MaxImages`
 * images in `image_info` order; prefix each matched sentence with `<image>` (once per image); join
 * sentences with " "; remove one space after and before each `<image>`; images ordered by sentence
 * index (stable — numpy's argsort is an insertion sort, hence stable, for VILA's ≤ 6 images).
 */
export function convertMmc4Record(raw: unknown, options: ConvertOptions): ConvertResult {
  const parsed = mmc4RecordSchema.safeParse(raw);
  if (!parsed.success) return rejectWith(reasonFromZod(parsed.error));
  const { text_list: sentencesIn, image_info: imageInfo } = parsed.data;
  if (sentencesIn.length === 0 && imageInfo.length === 0) return rejectWith('text_list, image_info: empty document');
  for (let k = 0; k < sentencesIn.length; k++) {
    const tooLong = textTooLong(['text_list', k], sentencesIn[k]!, options);
    if (tooLong !== null) return rejectWith(tooLong);
  }
  const kept = imageInfo.slice(0, options.mmc4MaxImages);
  for (let k = 0; k < kept.length; k++) {
    const index = kept[k]!.matched_text_index;
    if (index >= sentencesIn.length) {
      const what = `${index} is past the end of text_list (${sentencesIn.length} sentences)`;
      return rejectWith(`image_info[${k}].matched_text_index: ${what}`);
    }
  }
  const sentences = sentencesIn.map((sentence) => sentence.replaceAll(IMAGE_PLACEHOLDER, '<IMAGE>'));
  for (const { matched_text_index: index } of kept) sentences[index] = IMAGE_PLACEHOLDER + sentences[index]!;
  const text = sentences.join(' ').replaceAll(`${IMAGE_PLACEHOLDER} `, IMAGE_PLACEHOLDER).replaceAll(` ${IMAGE_PLACEHOLDER}`, IMAGE_PLACEHOLDER);
  const images = kept
    .map((info, order) => ({ info, order }))
    .sort((a, b) => a.info.matched_text_index - b.info.matched_text_index || a.order - b.order)
    .map(({ info }) => info.image_name);
  // Guard for the rule above: the text must hold one placeholder per kept image, in that order.
  if (countPlaceholders(text) !== images.length) {
    return rejectWith(`text_list: the joined text does not hold exactly ${images.length} <image> placeholder(s)`);
  }
  return acceptDocument(parsed.data.id, text, images);
}
