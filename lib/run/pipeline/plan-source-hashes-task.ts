import { z } from 'zod';
import { MAP_RESULTS_PREFIX } from '../../core/run-layout.js';
import type { StoreRoot } from '../../io/store-root.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { refuseOversizedDataset } from '../prepare/estimate-samples.js';
import { loadTokenizerNamed } from '../prepare/prepare-run.js';
import { planSourceHashes } from '../prepare/source-hashes.js';
import { readSourceHeads } from '../prepare/detect-source.js';
import { parseEvent, planSourceHashesEventSchema } from './events.js';
import { bucketKey, sourceStagePrefixOf } from './run-keys.js';

/** What PlanSourceHashes returns: the HashSources items (bucket key) and where the digests go. */
export const planSourceHashesResultSchema = z
  .object({
    datasetPrefix: z.string(),
    stagePrefix: z.string(),
    blocksKey: z.string(),
    blocks: z.number().int().min(0),
    bytes: z.number().int().min(0),
    mapResultsPrefix: z.string(),
  })
  .strict();

/**
 * PlanSourceHashes: cut every source of the uploaded dataset into blocks of the dataset's
 * `tuning.hashBytesPerCall` — the HashSources map's items — so that no call reads every byte of
 * the corpus to name the run.
 */
export function createPlanSourceHashesHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof planSourceHashesResultSchema>> => {
    const { datasetKey, execution } = parseEvent(planSourceHashesEventSchema, event);
    const datasetPrefix = datasetKey.slice(0, -'/dataset.json'.length);
    const dataset = root.openUnder(datasetPrefix);
    const stagePrefix = sourceStagePrefixOf(execution.name);
    const { config, shard } = await readDatasetConfig(dataset);
    // Refused here, before a byte is hashed or written, as Prepare would refuse it.
    await loadTokenizerNamed(dataset, config);
    // Each source's size and first bytes, read once for the estimate and the container.
    const heads = await readSourceHeads(dataset, config);
    refuseOversizedDataset(dataset, heads, shard);
    const planned = await planSourceHashes(dataset, config, root.openUnder(stagePrefix), heads);
    return {
      datasetPrefix,
      stagePrefix,
      blocksKey: bucketKey(stagePrefix, planned.blocksKey),
      blocks: planned.blocks,
      bytes: planned.bytes,
      mapResultsPrefix: bucketKey(stagePrefix, MAP_RESULTS_PREFIX),
    };
  };
}
