import { RUN_RECORD_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
import { deleteUnder } from '../../io/object-store.js';
import type { StoreRoot } from '../../io/store-root.js';
import { prepareRun } from '../prepare/prepare-run.js';
import { parseEvent, prepareEventSchema } from './events.js';
import { bucketKey, runPrefixOf } from './run-keys.js';
import { MAP_RESULTS_PREFIX, RUNS_PREFIX } from '../../core/run-layout.js';
import { createExecutionLiveness } from '../prepare/execution-liveness.js';
import type { ExecutionLiveness } from '../prepare/run-lock.js';

/** What Prepare returns: the run's folders, identity and counts (the state the rest of the run reads). */
export const prepareResultSchema = z
  .object({
    datasetPrefix: z.string(),
    runPrefix: z.string(),
    runId: z.string(),
    /** The run's identity: the fingerprint of its resolved config, tokenizer and sources. */
    runFingerprint: z.string(),
    complete: z.boolean(),
    runKey: z.string(),
    chunksKey: z.string(),
    /** Where the Distributed Maps' ResultWriter puts the run's diagnostics: inside the run's folder. */
    mapResultsPrefix: z.string(),
    dataset: z.string(),
    sources: z.number().int().min(0),
    chunks: z.number().int().min(0),
    /** The execution already writing this run (identical inputs): this one ends as a no-op. */
    inProgressBy: z.string().optional(),
    /** JSON-array sources planned by a whole scan because their block summaries could not answer (logged with the result). */
    wholeScans: z.array(z.object({ source: z.string(), reason: z.string() }).strict()).optional(),
  })
  .strict();

/**
 * Prepare: validate the uploaded dataset.json, fingerprint the dataset into the run id, and write
 * `runs/<run id>/chunks.json` — or report `complete` when that run already finished, or
 * `inProgressBy` when another execution holds the run's lock (the event names the execution when
 * the definition passes `$$.Execution`; `isRunning` tells whether a lock's holder still runs).
 */
export function createPrepareHandler(root: StoreRoot, isRunning: ExecutionLiveness = createExecutionLiveness()) {
  return async (event: unknown): Promise<z.output<typeof prepareResultSchema>> => {
    const { datasetKey, execution, stagePrefix } = parseEvent(prepareEventSchema, event);
    const datasetPrefix = datasetKey.slice(0, -'/dataset.json'.length);
    const lock = execution !== undefined ? { runs: root.openUnder(RUNS_PREFIX.replace(/\/$/, '')), execution, isRunning } : undefined;
    const stage = stagePrefix === undefined ? undefined : root.openUnder(stagePrefix);
    const prepared = await prepareRun(root.openUnder(datasetPrefix), (runId) => root.openUnder(runPrefixOf(runId)), lock, stage);
    // The block digests served their purpose: the run is named.
    if (stage !== undefined) await deleteUnder(stage, '');
    const runPrefix = runPrefixOf(prepared.runId);
    return {
      datasetPrefix,
      runPrefix,
      runId: prepared.runId,
      runFingerprint: prepared.runFingerprint,
      complete: prepared.complete,
      runKey: bucketKey(runPrefix, RUN_RECORD_KEY),
      chunksKey: bucketKey(runPrefix, prepared.chunksKey),
      mapResultsPrefix: bucketKey(runPrefix, MAP_RESULTS_PREFIX),
      dataset: prepared.dataset,
      sources: prepared.sources,
      chunks: prepared.chunks,
      ...(prepared.inProgressBy !== undefined ? { inProgressBy: prepared.inProgressBy } : {}),
      ...(prepared.wholeScans !== undefined ? { wholeScans: prepared.wholeScans } : {}),
    };
  };
}
