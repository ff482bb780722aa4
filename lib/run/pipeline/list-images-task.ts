import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { runStepOnce } from '../step-record.js';
import { imageListingItemSchema } from '../tokenize/image-table-layout.js';
import { listImagePage } from '../tokenize/list-image-page.js';
import { listImagesEventSchema, parseEvent } from './events.js';

const count = z.number().int().min(0);

/**
 * What one ListImages call returns: its part and page, the images it listed, and the next call's
 * event when the folder goes on (the state machine loops on it), else null.
 */
export const listImagesResultSchema = z
  .object({
    part: count,
    page: count,
    images: count,
    next: imageListingItemSchema.extend({ datasetPrefix: z.string(), runPrefix: z.string() }).strict().nullable(),
  })
  .strict();

/** ListImages: one page of a folder of the image root listed (a request per 1,000 images, at most the call's budget) into the table. */
export function createListImagesHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof listImagesResultSchema>> => {
    const { datasetPrefix, runPrefix, ...item } = parseEvent(listImagesEventSchema, event);
    const step = `list-images/part-${String(item.part).padStart(6, '0')}-page-${String(item.page ?? 0).padStart(6, '0')}`;
    const { result } = await runStepOnce(root.openUnder(runPrefix), step, listImagesResultSchema, async (run) => {
      const listed = await listImagePage(root.openUnder(datasetPrefix), run, item);
      return { ...listed, next: listed.next === null ? null : { datasetPrefix, runPrefix, ...listed.next } };
    });
    return result;
  };
}
