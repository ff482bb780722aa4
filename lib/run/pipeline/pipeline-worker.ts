import { MountedStoreRoot, type StoreRootSpec } from '../../io/store-root.js';
import { createPipelineHandlers } from './handlers.js';
import type { PipelineTaskName } from './task-names.js';
import { serveWorkerTasks } from '../../local/worker-task.js';

/** What every pipeline worker is started with: the run's store root. */
export interface PipelineWorkerData {
  readonly root: StoreRootSpec;
}

/** One task call: which handler, and its event. */
export interface PipelineWorkerTask {
  readonly task: PipelineTaskName;
  readonly event: unknown;
}

// One worker: the same handlers the Lambdas run, over the local store root; each keeps its
// tokenizer loaded between calls, as a warm Lambda does.
serveWorkerTasks(
  async (data) => createPipelineHandlers(new MountedStoreRoot((data as PipelineWorkerData).root)),
  (handlers, call: PipelineWorkerTask) => handlers[call.task](call.event),
);
