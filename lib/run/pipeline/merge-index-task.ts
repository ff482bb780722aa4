import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { mergedRunIndexSchema, mergeRunIndex } from '../tokenize/merge-run-index.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What MergeIndex returns: the merge's keys (bucket keys) and counts. */
export const mergeIndexResultSchema = mergedRunIndexSchema;

/** MergeIndex: merge the chunks' index parts into `runs/<run id>/index/lengths.arrow` (once per run). */
export function createMergeIndexHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof mergeIndexResultSchema>> => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const { result: merged } = await runStepOnce(root.openUnder(runPrefix), 'merge-index', mergedRunIndexSchema, (run) => mergeRunIndex(dataset, run));
    return { ...merged, indexKey: bucketKey(runPrefix, merged.indexKey), duplicatesKey: bucketKey(runPrefix, merged.duplicatesKey) };
  };
}
