import { RUN_RECORD_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { prepareRun } from '../prepare/prepare-run.js';
import { parseEvent, prepareEventSchema } from './events.js';
import { bucketKey, runPrefixOf } from './run-keys.js';
import { MAP_RESULTS_PREFIX } from '../../core/run-layout.js';

/** What Prepare returns: the run's folders, identity and counts (the state the rest of the run reads). */
export const prepareResultSchema = z
  .object({
    datasetPrefix: z.string(),
    runPrefix: z.string(),
    runId: z.string(),
    /** The run's identity: the fingerprint of its resolved config, tokenizer and sources. */
    runFingerprint: z.string(),
    complete: z.boolean(),
    runKey: z.string(),
    chunksKey: z.string(),
    /** Where the Distributed Maps' ResultWriter puts the run's diagnostics: inside the run's folder. */
    mapResultsPrefix: z.string(),
    dataset: z.string(),
    sources: z.number().int().min(0),
    chunks: z.number().int().min(0),
  })
  .strict();

/**
 * Prepare: validate the uploaded dataset.json, fingerprint the dataset into the run id, and write
 * `runs/<run id>/chunks.json` — or report `complete` when that run already finished.
 */
export function createPrepareHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof prepareResultSchema>> => {
    const { datasetKey } = parseEvent(prepareEventSchema, event);
    const datasetPrefix = datasetKey.slice(0, -'/dataset.json'.length);
    const prepared = await prepareRun(root.openUnder(datasetPrefix), (runId) => root.openUnder(runPrefixOf(runId)));
    const runPrefix = runPrefixOf(prepared.runId);
    return {
      datasetPrefix,
      runPrefix,
      runId: prepared.runId,
      runFingerprint: prepared.runFingerprint,
      complete: prepared.complete,
      runKey: bucketKey(runPrefix, RUN_RECORD_KEY),
      chunksKey: bucketKey(runPrefix, prepared.chunksKey),
      mapResultsPrefix: bucketKey(runPrefix, MAP_RESULTS_PREFIX),
      dataset: prepared.dataset,
      sources: prepared.sources,
      chunks: prepared.chunks,
    };
  };
}
