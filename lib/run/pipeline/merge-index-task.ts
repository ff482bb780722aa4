import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { mergeRunIndex, type MergedRunIndex } from '../tokenize/merge-run-index.js';
import { runStepOnce } from './step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

const mergedRunIndexSchema: z.ZodType<MergedRunIndex> = z
  .object({ indexKey: z.string(), duplicatesKey: z.string(), indexFingerprint: z.string(), samples: z.number().int().min(0), duplicates: z.number().int().min(0) })
  .strict();

/** MergeIndex: merge the chunks' index parts into `runs/<run id>/index/lengths.arrow` (once per run). */
export function createMergeIndexHandler(root: StoreRoot) {
  return async (event: unknown) => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const { result: merged } = await runStepOnce(root.openUnder(runPrefix), 'merge-index', mergedRunIndexSchema, (run) => mergeRunIndex(dataset, run));
    return { ...merged, indexKey: bucketKey(runPrefix, merged.indexKey), duplicatesKey: bucketKey(runPrefix, merged.duplicatesKey) };
  };
}
