import { createTaskHandler, type TaskHandler } from '../lib/run/pipeline/handlers.js';
import type { PipelineTaskName } from '../lib/run/pipeline/task-table.js';
import { bucketRoot } from './bucket-store.js';

/**
 * The Lambda handler of a pipeline task: its row of the task table over the pipeline's bucket,
 * logging one JSON line per call (Powertools Logger). Built at module scope: a warm Lambda reuses
 * it (and whatever it caches, such as a loaded tokenizer).
 */
export function lambdaTaskHandler(task: PipelineTaskName): TaskHandler {
  return createTaskHandler(task, bucketRoot);
}
