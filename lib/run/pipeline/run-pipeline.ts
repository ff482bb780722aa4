import { randomUUID } from 'node:crypto';
import { InvalidInputError, RemoteTaskError, RunInProgressError, StorageError } from '../../core/errors.js';
import { RUNS_PREFIX } from '../../core/run-layout.js';
import { FsObjectStore } from '../../io/fs-store.js';
import type { ObjectStore } from '../../io/object-store.js';
import { MountedStoreRoot, joinLocation, type StoreRoot, type StoreRootSpec } from '../../io/store-root.js';
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
import { registerLocalExecution } from '../prepare/execution-liveness.js';
import { runLockKey } from '../prepare/run-lock.js';
import { datasetFolderName } from './dataset-folder-name.js';
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
   * could do between two states (e.g. alter a shard between Assemble and Audit).
   */
  readonly beforeTask?: (task: PipelineTaskName, root: MountedStoreRoot) => Promise<void>;
  /** The execution's name (the watcher names it by the upload rule); `local-<uuid>` otherwise. */
  readonly executionName?: string;
  /**
   * Wraps every store the tasks and the Distributed Map shim open (a benchmark counts requests
   * through it, a test injects faults). Worker threads open their own stores: needs workers 1.
   */
  readonly decorateStore?: (store: ObjectStore) => ObjectStore;
  /** Wraps every task call, e.g. to attribute the store requests made during it to it. */
  readonly aroundTask?: (task: PipelineTaskName, call: () => Promise<unknown>) => Promise<unknown>;
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
  const taskRoot = decoratedRoot(root, options);
  const handlers = createPipelineHandlers(taskRoot, createTaskLogger({ silent: options.verbose !== true }));
  const workerData: PipelineWorkerData = { root: rootSpec, verbose: options.verbose === true };
  const pool = options.workers > 1 ? new WorkerQueue<PipelineWorkerTask, unknown>({ entry: workerEntry(), workerData, workers: options.workers }) : undefined;
  const timeline = new TaskTimeline();
  const invokeLambda = async (functionArn: string, payload: Json): Promise<Json> => {
    const task = taskOfLocalArn(functionArn);
    if (task === undefined) throw new StatesError('Lambda.ResourceNotFoundException', `${functionArn}: no local handler`);
    await options.beforeTask?.(task, root);
    const call = pool !== undefined && PIPELINE_TASKS[task].mapChild ? () => pool.run({ task, event: payload }) : () => handlers[task](payload);
    const wrapped = options.aroundTask === undefined ? call : () => options.aroundTask!(task, call);
    return (await timeline.time(task, wrapped)) as Json;
  };
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const machineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:MegashardPipeline`;
  const executionId = `${machineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  const started = performance.now();
  // While registered, a run lock this execution holds reads as held (a later run in this process waits its turn).
  const unregister = registerLocalExecution(executionId);
  let output: Json;
  try {
    output = await runMachine(PIPELINE_DEFINITION, objectCreatedEvent(`${datasetPrefix}/dataset.json`), {
      interpreter,
      invokeLambda,
      buckets: (bucket) => {
        if (bucket !== LOCAL_BUCKET) throw new StorageError(`s3://${bucket}`, `the local run knows only its own bucket (${LOCAL_BUCKET})`);
        return taskRoot.openUnder('');
      },
      concurrency: Math.max(1, options.workers),
      // Checked against the interpreter's validator by test/cdk/local-definition.test.ts.
      validate: false,
      context: {
        Execution: { Name: executionName, Id: executionId },
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
    unregister();
    await pool?.close();
  }
  const runMs = performance.now() - started;
  return finishRun(root, output, { interpreterLoadMs, runMs, timeline });
}

/** The tasks that name a run (hash its sources, Prepare): all a run found complete calls. */
const NAMING_TASKS: ReadonlySet<string> = new Set(['PlanSourceHashes', 'HashSource', 'Prepare']);

/** The root the tasks use: the run's root, or each store it opens decorated (in-process runs only). */
function decoratedRoot(root: MountedStoreRoot, options: RunPipelineOptions): StoreRoot {
  const decorate = options.decorateStore;
  if (decorate === undefined) return root;
  if (options.workers > 1) throw new InvalidInputError('workers', `is ${options.workers}; decorated stores need the tasks in this thread (workers 1)`);
  return { location: root.location, openUnder: (prefix) => decorate(root.openUnder(prefix)) };
}

async function finishRun(
  root: MountedStoreRoot,
  output: Json,
  times: { interpreterLoadMs: number; runMs: number; timeline: TaskTimeline },
): Promise<PipelineRunResult> {
  const { runId, inProgressBy } = output as { runId: string; inProgressBy?: string };
  const prefix = runPrefixOf(runId);
  if (inProgressBy !== undefined) throw new RunInProgressError(runId, inProgressBy, joinLocation(root.location, `${RUNS_PREFIX}${runLockKey(runId)}`));
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
    // A run found complete by Prepare ends right after it: only the tasks naming the run were called.
    ran: Object.keys(timeline.byTask()).some((task) => !NAMING_TASKS.has(task)),
    record,
    timing: {
      interpreterLoadMs,
      runMs,
      taskBusyMs,
      taskTotalMs: timeline.totalMs(),
      taskCalls: timeline.calls,
      byTask: timeline.byTask(),
      machineOverheadMs: runMs - taskBusyMs,
    },
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

/** The worker module: compiled .js in dist/, .ts when run from source (tests, tsx). */
function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./pipeline-worker.${extension}`, import.meta.url);
}
