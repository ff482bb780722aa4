import type { AcceptedRecord } from '../../core/corpus/read-chunk.js';
import { describeValue } from '../../core/corpus/source-format.js';
import { imageKeyOf, imageReferenceProblem } from '../../core/images/image-reference.js';
import { imageSizeProblem, imageTokens, needsImageSize, type ImageTokenRule } from '../../core/images/image-token-rule.js';
import type { RecordImages } from '../../core/tokenize/assemble-chunk.js';
import type { ImageFactsSource } from './image-facts-source.js';

/** Image lookups in flight at once (local disk or S3 GETs; latency-bound, not CPU-bound). */
const CONCURRENCY = 32;

/** Per record: its images' sizes and token counts, or why the record is rejected. */
export type ImageCheck = { readonly ok: true; readonly images: RecordImages } | { readonly ok: false; readonly reason: string };

/** Where the images are and how they count. */
export interface ImageCheckContext {
  /** Facts about each image by key (the store probe at the dataset's imageCheck level, cached). */
  readonly facts: ImageFactsSource;
  readonly imageRoot: string;
  readonly rule: ImageTokenRule;
}

/**
 * Check every image a record refers to: the reference must name a file inside the image root,
 * and the image must pass the dataset's check level (a bad image rejects the sample, as LLaVA
 * would crash on it mid-training). Where the rule depends on size, the header's size gives the
 * token count. Every fault here is the record's: only storage failures are thrown. Results are in
 * record order.
 */
export async function checkRecordImages(records: readonly AcceptedRecord[], context: ImageCheckContext): Promise<ImageCheck[]> {
  const results = new Array<ImageCheck>(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const r = next++;
      results[r] = await checkOne(records[r]!.conversation.images, context);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length) }, worker));
  return results;
}

async function checkOne(refs: readonly string[], { facts, imageRoot, rule }: ImageCheckContext): Promise<ImageCheck> {
  const sizeCounts = needsImageSize(rule);
  const widths: number[] = [];
  const heights: number[] = [];
  const tokens: number[] = [];
  for (const ref of refs) {
    const rejectWith = (why: string): ImageCheck => ({ ok: false, reason: `image ${describeValue(ref)}: ${why}` });
    const problem = imageReferenceProblem(ref, imageRoot);
    if (problem !== undefined) return rejectWith(problem);
    const found = await facts.factsOf(imageKeyOf(imageRoot, ref));
    if (!found.ok) return rejectWith(found.reason);
    if (!sizeCounts) {
      // The size was not needed: 0 × 0 in the outputs, whatever the check level read.
      widths.push(0);
      heights.push(0);
      tokens.push(imageTokens(rule, 1, 1));
      continue;
    }
    const sizeProblem = imageSizeProblem(rule, found.width, found.height);
    if (sizeProblem) return rejectWith(sizeProblem);
    widths.push(found.width);
    heights.push(found.height);
    tokens.push(imageTokens(rule, found.width, found.height));
  }
  return { ok: true, images: { widths, heights, tokens } };
}
