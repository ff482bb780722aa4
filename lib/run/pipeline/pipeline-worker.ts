import { MountedStoreRoot, type StoreRootSpec } from '../../io/store-root.js';
import { createPipelineHandlers } from './handlers.js';
import { createTaskLogger } from './task-log.js';
import type { PipelineTaskName } from './task-table.js';
import { serveWorkerTasks } from '../../local/worker-task.js';

/** What every pipeline worker is started with: the run's store root. */
export interface PipelineWorkerData {
  readonly root: StoreRootSpec;
  /** Print each task call's log line. */
  readonly verbose: boolean;
}

/** One task call: which handler, and its event. */
export interface PipelineWorkerTask {
  readonly task: PipelineTaskName;
  readonly event: unknown;
}

// One worker: the same handlers the Lambdas run, over the local store root; each keeps its
// tokenizer loaded between calls, as a warm Lambda does.
serveWorkerTasks(
  async (data) => {
    const { root, verbose } = data as PipelineWorkerData;
    return createPipelineHandlers(new MountedStoreRoot(root), createTaskLogger({ silent: !verbose }));
  },
  (handlers, call: PipelineWorkerTask) => handlers[call.task](call.event),
);
