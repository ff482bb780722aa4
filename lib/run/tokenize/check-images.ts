import type { AcceptedRecord } from '../../core/corpus/read-chunk.js';
import { imageSizeProblem, imageTokens, needsImageSize, type ImageTokenRule } from '../../core/images/image-token-rule.js';
import type { RecordImages } from '../../core/tokenize/assemble-chunk.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { readImageSize } from './read-image-size.js';

/** Image lookups in flight at once (local disk or S3 GETs; latency-bound, not CPU-bound). */
const CONCURRENCY = 32;

/** Per record: its images' sizes and token counts, or why the record is rejected. */
export type ImageCheck = { readonly ok: true; readonly images: RecordImages } | { readonly ok: false; readonly reason: string };

/**
 * Check every image a record refers to: it must exist (a missing image rejects the sample, as
 * LLaVA would crash on it mid-training), and where the rule depends on size its header must be
 * readable (a small ranged read, never the whole image). Results are in record order.
 */
export async function checkRecordImages(
  records: readonly AcceptedRecord[],
  imageStore: ObjectStore,
  imageRoot: string,
  rule: ImageTokenRule,
): Promise<ImageCheck[]> {
  const results = new Array<ImageCheck>(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const r = next++;
      results[r] = await checkOne(records[r]!.conversation.images, imageStore, imageRoot, rule);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length) }, worker));
  return results;
}

async function checkOne(refs: readonly string[], store: ObjectStore, root: string, rule: ImageTokenRule): Promise<ImageCheck> {
  const widths: number[] = [];
  const heights: number[] = [];
  const tokens: number[] = [];
  for (const ref of refs) {
    const key = joinKey(root, ref);
    if (!needsImageSize(rule)) {
      if (!(await store.exists(key))) return { ok: false, reason: `image "${ref}": missing image file` };
      widths.push(0);
      heights.push(0);
      tokens.push(imageTokens(rule, 1, 1));
      continue;
    }
    const size = await readImageSize(store, key);
    if (!size.ok) return { ok: false, reason: `image "${ref}": ${size.reason}` };
    const { width, height } = size.header;
    const problem = imageSizeProblem(rule, width, height);
    if (problem) return { ok: false, reason: `image "${ref}": ${problem}` };
    widths.push(width);
    heights.push(height);
    tokens.push(imageTokens(rule, width, height));
  }
  return { ok: true, images: { widths, heights, tokens } };
}
