import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { resolveTuning } from '../../core/dataset/tuning.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { listedShardRoutesSchema, listShardRoutes } from '../shards/list-shard-routes.js';
import { plannedRunSchema, planRun } from '../plan/plan-run.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What PlanShards returns: the plan's root manifest, the Assemble sections and the Route items (bucket keys). */
export const planShardsResultSchema = plannedRunSchema
  .unwrap()
  .extend({ shardWorkKey: z.string(), shardWorkItems: z.number().int().min(0), routeWorkKey: z.string(), routeWorkItems: z.number().int().min(0) })
  .strict();

/**
 * PlanShards: plan every epoch of the dataset's shard spec into `runs/<run id>/plan/`, then cut the
 * epochs into sections (the Assemble map's items, `shard-work.json`) and write the route list of
 * every (epoch, tokens file) and the Route map's items (each step once per run).
 */
export function createPlanShardsHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof planShardsResultSchema>> => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const run = root.openUnder(runPrefix);
    const { result: planned } = await runStepOnce(run, 'plan-shards', plannedRunSchema, (out) => planRun(dataset, out));
    const tuning = resolveTuning((await readDatasetConfig(dataset)).config.tuning);
    const budget = { tokensPerCall: tuning.assembleTokensPerCall, ranksPerCall: tuning.assembleRanksPerCall };
    const { result: work } = await runStepOnce(run, 'shard-routes', listedShardRoutesSchema, (out) => listShardRoutes(out, budget));
    return {
      ...planned,
      manifestKey: bucketKey(runPrefix, planned.manifestKey),
      shardWorkKey: bucketKey(runPrefix, work.shardWorkKey),
      shardWorkItems: work.sections,
      routeWorkKey: bucketKey(runPrefix, work.routeWorkKey),
      routeWorkItems: work.routes,
    };
  };
}
