import { runPipeline } from '../pipeline/run-pipeline.js';
import type { RunWatchedDataset } from './watch-datasets.js';

/**
 * The watcher's runner: each found dataset through the local state machine, into `outLocation`,
 * as the execution the naming rule names (so its run lock names it too).
 */
export function localRunner(options: { readonly outLocation: string; readonly workers: number; readonly verbose?: boolean }): RunWatchedDataset {
  return async (dataset, onEvent) => {
    const result = await runPipeline({
      datasetLocation: dataset.location,
      outLocation: options.outLocation,
      workers: options.workers,
      executionName: dataset.executionName,
      verbose: options.verbose === true,
      onEvent,
    });
    return { runId: result.runId, runLocation: result.runLocation, ran: result.ran };
  };
}
