import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { listedShardWorkSchema, listShardWork } from '../shards/list-shard-work.js';
import { plannedRunSchema, planRun } from '../plan/plan-run.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What PlanShards returns: the plan's root manifest and the WriteShards items (bucket keys). */
export const planShardsResultSchema = plannedRunSchema.unwrap().extend({ shardWorkKey: z.string(), shardWorkItems: z.number().int().min(0) }).strict();

/**
 * PlanShards: plan every epoch of the dataset's shard spec into `runs/<run id>/plan/`, then list
 * the WriteShards map's items (epoch, rank range) in `shard-work.json` (each step once per run).
 */
export function createPlanShardsHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof planShardsResultSchema>> => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const run = root.openUnder(runPrefix);
    const { result: planned } = await runStepOnce(run, 'plan-shards', plannedRunSchema, (out) => planRun(dataset, out));
    const { result: work } = await runStepOnce(run, 'shard-work', listedShardWorkSchema, (out) => listShardWork(out));
    return { ...planned, manifestKey: bucketKey(runPrefix, planned.manifestKey), shardWorkKey: bucketKey(runPrefix, work.shardWorkKey), shardWorkItems: work.items };
  };
}
