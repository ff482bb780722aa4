import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { runStepOnce } from '../step-record.js';
import { planImageListing } from '../tokenize/image-table.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What PlanImageListing returns: the ListImages items (bucket key) and how many folders. */
export const planImageListingResultSchema = z.object({ listingKey: z.string(), parts: z.number().int().min(0) }).strict();

/**
 * PlanImageListing: when listings answer the dataset's image check (`exists`, a size-free rule),
 * one ListImages item per folder of the image root, so each image is checked once per run by a
 * listing page instead of once per reference; otherwise no items (Tokenize probes as before).
 */
export function createPlanImageListingHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof planImageListingResultSchema>> => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const { config } = await readDatasetConfig(dataset);
    const { result } = await runStepOnce(root.openUnder(runPrefix), 'plan-image-listing', planImageListingResultSchema, (run) =>
      planImageListing(dataset, config, run),
    );
    return { ...result, listingKey: bucketKey(runPrefix, result.listingKey) };
  };
}
