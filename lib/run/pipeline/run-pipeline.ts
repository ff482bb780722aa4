import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { RemoteTaskError, StorageError } from '../../core/errors.js';
import { FsObjectStore } from '../../io/fs-store.js';
import { MountedStoreRoot, joinLocation, type StoreRootSpec } from '../../io/store-root.js';
import { isS3Url, parseS3Url } from '../../io/split-url.js';
import { causeMessage, StatesError, type Json } from '../../local/asl.js';
import { loadInterpreter } from '../../local/load-interpreter.js';
import { LOCAL_ACCOUNT, LOCAL_BUCKET, LOCAL_REGION, taskOfLocalArn } from './local-refs.js';
import { PIPELINE_DEFINITION } from './pipeline-definition.generated.js';
import type { PipelineWorkerData, PipelineWorkerTask } from './pipeline-worker.js';
import type { LocalRunEvent } from '../../local/run-events.js';
import { runMachine } from '../../local/run-machine.js';
import { TaskTimeline } from '../../local/task-timeline.js';
import { WorkerQueue } from '../../local/worker-queue.js';
import { readCompletedRun, type RunRecord } from '../run-record.js';
import { createPipelineHandlers } from './handlers.js';
import { runPrefixOf } from './run-keys.js';
import { PIPELINE_TASKS, type PipelineTaskName } from './task-table.js';
import { createTaskLogger } from './task-log.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The dataset: a folder or s3:// prefix holding dataset.json and its sources. */
  readonly datasetLocation: string;
  /** The "bucket" runs are written to: a folder or s3:// prefix (runs/<run id>/ inside). */
  readonly outLocation: string;
  /** Worker threads for the Map's children (Tokenize); 1 runs them in this thread. */
  readonly workers: number;
  /** Retry pauses in ms by state name (tests); the definition's own intervals otherwise. */
  readonly retryIntervalOverrides?: Record<string, number | number[]>;
  readonly onEvent?: (event: LocalRunEvent) => void;
  /** Print every task call's log line (the JSON line each Lambda writes to CloudWatch). */
  readonly verbose?: boolean;
  /**
   * Called before each task call, with the run's store root: a test seam for what another writer
   * could do between two states (e.g. alter a shard between WriteShards and Audit).
   */
  readonly beforeTask?: (task: PipelineTaskName, root: MountedStoreRoot) => Promise<void>;
}

/** Where the time went (ms). */
export interface PipelineTiming {
  /** Loading the ASL interpreter module (once per process, before the run). */
  readonly interpreterLoadMs: number;
  /** From starting the execution to its result. */
  readonly runMs: number;
  /** Time with at least one task running. */
  readonly taskBusyMs: number;
  /** Sum of all task calls' durations (parallel calls counted each). */
  readonly taskTotalMs: number;
  readonly taskCalls: number;
  /** Calls and summed duration (ms) of each task. */
  readonly byTask: Record<string, { calls: number; ms: number }>;
  /** The state machine's own time: runMs − taskBusyMs. */
  readonly machineOverheadMs: number;
}

/** What a local run did and where its outputs are. */
export interface PipelineRunResult {
  readonly runId: string;
  /** `<out>/runs/<run id>` */
  readonly runLocation: string;
  /** false when an identical run had already completed: nothing was done. */
  readonly ran: boolean;
  readonly record: RunRecord;
  readonly timing: PipelineTiming;
}

/**
 * Run the pipeline locally: the state machine the CDK stack deploys (PIPELINE_DEFINITION, rendered
 * from cdk/state-machine.ts), started by the S3 event of the dataset's `dataset.json`, with every
 * Lambda task run by its handler in this process (Tokenize on worker threads), over a "bucket" that
 * is the --out location with the dataset mounted at `datasets/<name>`.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRunResult> {
  const loadStart = performance.now();
  const interpreter = await loadInterpreter();
  const interpreterLoadMs = performance.now() - loadStart;
  const datasetPrefix = `datasets/${datasetFolderName(options.datasetLocation)}`;
  const rootSpec: StoreRootSpec = { root: options.outLocation, mounts: [{ prefix: datasetPrefix, location: options.datasetLocation }] };
  const root = new MountedStoreRoot(rootSpec);
  const handlers = createPipelineHandlers(root, createTaskLogger({ silent: options.verbose !== true }));
  const workerData: PipelineWorkerData = { root: rootSpec, verbose: options.verbose === true };
  const pool = options.workers > 1 ? new WorkerQueue<PipelineWorkerTask, unknown>({ entry: workerEntry(), workerData, workers: options.workers }) : undefined;
  const timeline = new TaskTimeline();
  const invokeLambda = async (functionArn: string, payload: Json): Promise<Json> => {
    const task = taskOfLocalArn(functionArn);
    if (task === undefined) throw new StatesError('Lambda.ResourceNotFoundException', `${functionArn}: no local handler`);
    await options.beforeTask?.(task, root);
    const call = pool !== undefined && PIPELINE_TASKS[task].mapChild ? () => pool.run({ task, event: payload }) : () => handlers[task](payload);
    return (await timeline.time(task, call)) as Json;
  };
  const executionName = `local-${randomUUID()}`;
  const machineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:MegashardPipeline`;
  const started = performance.now();
  let output: Json;
  try {
    output = await runMachine(PIPELINE_DEFINITION, objectCreatedEvent(`${datasetPrefix}/dataset.json`), {
      interpreter,
      invokeLambda,
      buckets: (bucket) => {
        if (bucket !== LOCAL_BUCKET) throw new StorageError(`s3://${bucket}`, `the local run knows only its own bucket (${LOCAL_BUCKET})`);
        return root.openUnder('');
      },
      concurrency: Math.max(1, options.workers),
      // Checked against the interpreter's validator by test/cdk/local-definition.test.ts.
      validate: false,
      context: {
        Execution: { Name: executionName, Id: `${machineArn.replace(':stateMachine:', ':execution:')}:${executionName}` },
        StateMachine: { Name: 'MegashardPipeline', Id: machineArn },
      },
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } catch (error) {
    // The execution failed (Fail state): report its Error and Cause as the error they name.
    if (error instanceof StatesError) throw new RemoteTaskError(error.name, causeMessage(error.message));
    throw error;
  } finally {
    await pool?.close();
  }
  const runMs = performance.now() - started;
  return finishRun(root, output, { interpreterLoadMs, runMs, timeline });
}

async function finishRun(root: MountedStoreRoot, output: Json, times: { interpreterLoadMs: number; runMs: number; timeline: TaskTimeline }): Promise<PipelineRunResult> {
  const { runId } = output as { runId: string };
  const prefix = runPrefixOf(runId);
  const run = root.openUnder(prefix);
  const record = await readCompletedRun(run);
  if (record === undefined) throw new RemoteTaskError('CorruptArtifact', `${run.location}/run.json: missing or invalid after a successful run`);
  // A killed earlier attempt may have left temporaries; nothing writes to a completed run.
  if (run instanceof FsObjectStore) await run.removeTemporaries();
  const { interpreterLoadMs, runMs, timeline } = times;
  const taskBusyMs = timeline.busyMs();
  return {
    runId,
    runLocation: joinLocation(root.location, prefix),
    // A run found complete by Prepare ends right after it: Prepare is then the only task called.
    ran: timeline.calls > 1,
    record,
    timing: { interpreterLoadMs, runMs, taskBusyMs, taskTotalMs: timeline.totalMs(), taskCalls: timeline.calls, byTask: timeline.byTask(), machineOverheadMs: runMs - taskBusyMs },
  };
}

/** The EventBridge "Object Created" event S3 sends when dataset.json is written (what starts a run). */
function objectCreatedEvent(key: string): Json {
  return {
    version: '0',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    resources: [`arn:aws:s3:::${LOCAL_BUCKET}`],
    detail: { version: '0', bucket: { name: LOCAL_BUCKET }, object: { key }, reason: 'PutObject' },
  };
}

/** A name for the dataset's mount: its folder's name, reduced to characters safe in a key. */
function datasetFolderName(location: string): string {
  const last = isS3Url(location) ? (parseS3Url(location).prefix.split('/').pop() ?? '') : basename(location);
  const safe = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return safe === '' ? 'dataset' : safe;
}

/** The worker module: compiled .js in dist/, .ts when run from source (tests, tsx). */
function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./pipeline-worker.${extension}`, import.meta.url);
}
