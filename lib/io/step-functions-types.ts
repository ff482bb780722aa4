/**
 * What the Step Functions adapter returns: plain data in the project's words, so use-cases never
 * see SDK types (and tests build them by hand).
 */
import type { HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';

/** An execution's status as Step Functions reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** One execution, as ListExecutions lists it. */
export interface ExecutionListItem {
  readonly executionArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

/** One execution in full (DescribeExecution): its input, and its output or error once it ended. */
export interface ExecutionDescription extends ExecutionListItem {
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One event of an execution's history, with the details megashard reads. */
export interface ExecutionEvent {
  readonly id: number;
  readonly type: string;
  readonly timestamp: Date;
  /** The state entered or exited (state events only). */
  readonly stateName?: string;
  /** A state's output on exit, the execution's output on success (JSON text). */
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  /** The Map Run a Distributed Map started (MapRunStarted). */
  readonly mapRunArn?: string;
}

/** A Map Run of an execution (ListMapRuns). */
export interface MapRunListItem {
  readonly mapRunArn: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

/** Item counts of a Map Run (DescribeMapRun): items, not child executions (a batch is several items). */
export interface MapRunItemCounts {
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
  readonly total: number;
}

/** A Map Run's state (DescribeMapRun). */
export interface MapRunDescription {
  readonly mapRunArn: string;
  readonly status: string;
  readonly items: MapRunItemCounts;
}

/** The details megashard reads from a history event, whichever of the event-type fields holds them. */
export function executionEventOf(event: SdkHistoryEvent): ExecutionEvent {
  const failure =
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.mapRunFailedEventDetails ??
    event.executionFailedEventDetails ??
    event.executionAbortedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.evaluationFailedEventDetails;
  const stateName = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  const output = event.stateExitedEventDetails?.output ?? event.executionSucceededEventDetails?.output;
  const mapRunArn = event.mapRunStartedEventDetails?.mapRunArn;
  return {
    id: event.id ?? 0,
    type: event.type ?? 'Unknown',
    timestamp: event.timestamp ?? new Date(0),
    ...(stateName !== undefined ? { stateName } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(failure?.error !== undefined ? { error: failure.error } : {}),
    ...(failure?.cause !== undefined ? { cause: failure.cause } : {}),
    ...(mapRunArn !== undefined ? { mapRunArn } : {}),
  };
}
