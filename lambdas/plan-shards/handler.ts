import { createPlanShardsHandler } from '../../lib/run/pipeline/plan-shards-task.js';
import { bucketRoot } from '../bucket-store.js';

/** PlanShards: plan every epoch (see lib/run/pipeline/plan-shards-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createPlanShardsHandler(bucketRoot);
