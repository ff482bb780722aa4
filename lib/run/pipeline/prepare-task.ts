import type { StoreRoot } from '../../io/store-root.js';
import { prepareRun } from '../prepare/prepare-run.js';
import { RUN_RECORD_KEY } from './complete-run.js';
import { parseEvent, prepareEventSchema } from './events.js';
import { bucketKey, runPrefixOf } from './run-keys.js';

/**
 * Prepare: validate the uploaded dataset.json, fingerprint the dataset into the run id, and write
 * `runs/<run id>/chunks.json` — or report `complete` when that run already finished.
 */
export function createPrepareHandler(root: StoreRoot) {
  return async (event: unknown) => {
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
      dataset: prepared.dataset,
      sources: prepared.sources,
      chunks: prepared.chunks,
    };
  };
}
