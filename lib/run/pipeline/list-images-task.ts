import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { runStepOnce } from '../step-record.js';
import { listImagePart } from '../tokenize/image-table.js';
import { listImagesEventSchema, parseEvent } from './events.js';

/** What one ListImages call returns: its part and how many images the folder holds. */
export const listImagesResultSchema = z.object({ part: z.number().int().min(0), images: z.number().int().min(0) }).strict();

/** ListImages: one Distributed Map item, a folder of the image root listed (a request per 1,000 images) into its table part. */
export function createListImagesHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof listImagesResultSchema>> => {
    const { datasetPrefix, runPrefix, ...item } = parseEvent(listImagesEventSchema, event);
    const step = `list-images/part-${String(item.part).padStart(6, '0')}`;
    return (await runStepOnce(root.openUnder(runPrefix), step, listImagesResultSchema, (run) => listImagePart(root.openUnder(datasetPrefix), run, item)))
      .result;
  };
}
