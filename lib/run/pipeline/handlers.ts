import type { StoreRoot } from '../../io/store-root.js';
import { createAuditHandler } from './audit-task.js';
import { createCompleteRunHandler } from './complete-run-task.js';
import { createFinishShardsHandler } from './finish-shards-task.js';
import { createMergeIndexHandler } from './merge-index-task.js';
import { createPlanShardsHandler } from './plan-shards-task.js';
import { createPrepareHandler } from './prepare-task.js';
import type { PipelineTaskName } from './task-names.js';
import { createTokenizeHandler } from './tokenize-task.js';
import { createWriteShardsHandler } from './write-shards-task.js';

/** A task's handler: the event in, a small JSON result out (what a Lambda returns). */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** Every task's handler over one store root: the Lambdas use the bucket, the local runner a folder. */
export function createPipelineHandlers(root: StoreRoot): Record<PipelineTaskName, TaskHandler> {
  return {
    Prepare: createPrepareHandler(root),
    Tokenize: createTokenizeHandler(root),
    MergeIndex: createMergeIndexHandler(root),
    PlanShards: createPlanShardsHandler(root),
    WriteShards: createWriteShardsHandler(root),
    FinishShards: createFinishShardsHandler(root),
    Audit: createAuditHandler(root),
    CompleteRun: createCompleteRunHandler(root),
  };
}
