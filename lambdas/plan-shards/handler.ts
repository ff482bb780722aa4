import { planRunShards } from '../../lib/run/plan-run-shards.js';
import { bucketKey, openBucketStore } from '../bucket-store.js';
import { parseEvent, runRefSchema } from '../events.js';

/** PlanShards: plan every epoch of the dataset's shard spec into `runs/<runId>/plan/`. */
export async function handler(event: unknown) {
  const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
  const planned = await planRunShards(openBucketStore(datasetPrefix), openBucketStore(runPrefix));
  return { ...planned, manifestKey: bucketKey(runPrefix, planned.manifestKey) };
}
