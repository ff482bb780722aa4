import { mergeRunIndex } from '../../lib/run/merge-run-index.js';
import { bucketKey, openBucketStore } from '../bucket-store.js';
import { parseEvent, runRefSchema } from '../events.js';

/** MergeIndex: merge the chunks' index parts into `runs/<runId>/index/lengths.arrow`. */
export async function handler(event: unknown) {
  const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
  const merged = await mergeRunIndex(openBucketStore(datasetPrefix), openBucketStore(runPrefix));
  return {
    indexKey: bucketKey(runPrefix, merged.indexKey),
    duplicatesKey: bucketKey(runPrefix, merged.duplicatesKey),
    indexFingerprint: merged.indexFingerprint,
    samples: merged.samples,
    duplicates: merged.duplicates,
  };
}
