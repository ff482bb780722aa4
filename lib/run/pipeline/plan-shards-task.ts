import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { planRunShards, type PlannedRun } from '../plan-run-shards.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

const plannedRunSchema: z.ZodType<PlannedRun> = z
  .object({ manifestKey: z.string(), runFingerprint: z.string(), strategy: z.string(), epochs: z.number().int().min(0) })
  .strict();

/** PlanShards: plan every epoch of the dataset's shard spec into `runs/<run id>/plan/` (once per run). */
export function createPlanShardsHandler(root: StoreRoot) {
  return async (event: unknown) => {
    const { datasetPrefix, runPrefix } = parseEvent(runRefSchema, event);
    const dataset = root.openUnder(datasetPrefix);
    const { result: planned } = await runStepOnce(root.openUnder(runPrefix), 'plan-shards', plannedRunSchema, (run) => planRunShards(dataset, run));
    return { ...planned, manifestKey: bucketKey(runPrefix, planned.manifestKey) };
  };
}
