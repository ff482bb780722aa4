/**
 * `status <execution>`: one execution as it stands — its summary (run folder, audit verdict or
 * failure), the state it is in, and every Distributed Map's item counts (ListMapRuns, DescribeMapRun).
 */
import { InvalidInputError } from '../../core/errors.js';
import { executionArnOf, isExecutionArn, parseExecutionArn } from '../../core/pipeline/state-machine-arn.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { StepFunctions } from '../../io/step-functions.js';
import type { MapRunItemCounts } from '../../io/step-functions-types.js';
import { summarizeExecution, type RemoteRunSummary } from './execution-summary.js';
import { HistoryProgress } from './history-progress.js';
import type { RemoteTarget } from './remote-target.js';

/** One Distributed Map of an execution: the state that ran it, and its items. */
export interface MapRunStatus {
  readonly state: string;
  readonly mapRunArn: string;
  readonly status: string;
  readonly items: MapRunItemCounts;
}

/** An execution as it stands. */
export interface ExecutionStatusReport {
  readonly summary: RemoteRunSummary;
  /** The state being run (running executions only). */
  readonly currentState?: string;
  readonly maps: readonly MapRunStatus[];
}

/** Options of {@link describeRemoteExecution}. */
export interface DescribeRemoteOptions {
  /** The deployed pipeline; needed when the execution is given by name, optional with an ARN. */
  readonly target?: RemoteTarget;
  readonly openBucket?: (prefix: string) => ObjectStore;
}

/** The status of an execution given by name (of the target's state machine) or by ARN. */
export async function describeRemoteExecution(sfn: StepFunctions, execution: string, options: DescribeRemoteOptions): Promise<ExecutionStatusReport> {
  const executionArn = executionArnFor(execution, options.target);
  const described = await sfn.describeExecution(executionArn);
  if (described === undefined)
    throw new InvalidInputError('execution', `${executionArn} does not exist; list recent executions with \`megashard runs --on aws\``);
  const progress = new HistoryProgress();
  progress.apply(await sfn.historySince(executionArn));
  const maps: MapRunStatus[] = [];
  const runs = (await sfn.listMapRuns(executionArn)).sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
  for (const run of runs) {
    const { status, items } = await sfn.describeMapRun(run.mapRunArn);
    // A Map Run's state machine ARN is the parent's with "/<map state label>" appended.
    maps.push({ state: run.stateMachineArn.split('/').pop() ?? '', mapRunArn: run.mapRunArn, status, items });
  }
  const summary = await summarizeExecution(described, progress, {
    ...(options.target !== undefined ? { bucket: options.target.bucket } : {}),
    ...(options.openBucket !== undefined ? { openBucket: options.openBucket } : {}),
  });
  const running = summary.outcome === 'running' && progress.current !== undefined;
  return { summary, ...(running ? { currentState: progress.current?.name } : {}), maps };
}

function executionArnFor(execution: string, target: RemoteTarget | undefined): string {
  if (isExecutionArn(execution)) return parseExecutionArn(execution, 'execution').arn;
  if (target === undefined)
    throw new InvalidInputError('execution', `"${execution}" is a name: pass its ARN, or the pipeline (--outputs FILE or --state-machine ARN)`);
  return executionArnOf(target.stateMachine, execution);
}
