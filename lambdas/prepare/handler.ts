import { prepareRun } from '../../lib/run/prepare-run.js';
import { bucketKey, openBucketStore } from '../bucket-store.js';
import { parseEvent, prepareEventSchema, RUNS_PREFIX } from '../events.js';

/** Prepare: validate the uploaded dataset.json, plan the chunks, write `runs/<runId>/chunks.json`. */
export async function handler(event: unknown) {
  const { datasetKey, runId } = parseEvent(prepareEventSchema, event);
  const datasetPrefix = datasetKey.slice(0, -'/dataset.json'.length);
  const runPrefix = `${RUNS_PREFIX}${runId}`;
  const prepared = await prepareRun(openBucketStore(datasetPrefix), openBucketStore(runPrefix));
  return {
    datasetPrefix,
    runPrefix,
    chunksKey: bucketKey(runPrefix, prepared.chunksKey),
    dataset: prepared.dataset,
    sources: prepared.sources,
    chunks: prepared.chunks,
  };
}
