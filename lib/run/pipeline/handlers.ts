import type { Logger } from '@aws-lambda-powertools/logger';
import type { StoreRoot } from '../../io/store-root.js';
import { createTaskLogger, withTaskLog, type TaskHandler } from './task-log.js';
import { PIPELINE_TASK_NAMES, PIPELINE_TASKS, type PipelineTaskName } from './task-table.js';

export type { TaskHandler };

/** One task's handler over a store root, logged and with its result checked (what a Lambda runs). */
export function createTaskHandler(task: PipelineTaskName, root: StoreRoot, logger: Logger = createTaskLogger()): TaskHandler {
  const row = PIPELINE_TASKS[task];
  return withTaskLog(task, row.create(root), row.result, logger);
}

/** Every task's handler over one store root: the Lambdas use the bucket, the local runner a folder. */
export function createPipelineHandlers(root: StoreRoot, logger: Logger = createTaskLogger()): Record<PipelineTaskName, TaskHandler> {
  return Object.fromEntries(PIPELINE_TASK_NAMES.map((task) => [task, createTaskHandler(task, root, logger)])) as Record<PipelineTaskName, TaskHandler>;
}
