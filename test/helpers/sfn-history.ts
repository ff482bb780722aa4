/**
 * Step Functions histories as GetExecutionHistory returns them (SDK shapes), for the mocked client:
 * a pipeline execution that succeeds, one that fails at a state, and pieces to build others.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

const T0 = Date.parse('2026-01-05T10:00:00Z');

/** Numbers events from 1 and gives each a timestamp a second apart. */
export function numbered(events: readonly Omit<HistoryEvent, 'id' | 'timestamp'>[]): HistoryEvent[] {
  return events.map((event, index) => ({ ...event, id: index + 1, timestamp: new Date(T0 + index * 1000) }) as HistoryEvent);
}

/** A state entered and exited around its own events (a Task or Map state). */
export function state(
  type: 'Task' | 'Map' | 'Choice' | 'Succeed' | 'Fail',
  name: string,
  inner: Omit<HistoryEvent, 'id' | 'timestamp'>[] = [],
  output?: unknown,
) {
  const entered = { type: `${type}StateEntered`, stateEnteredEventDetails: { name, input: '{}' } } as Omit<HistoryEvent, 'id' | 'timestamp'>;
  const exited = { type: `${type}StateExited`, stateExitedEventDetails: { name, output: JSON.stringify(output ?? {}) } } as Omit<
    HistoryEvent,
    'id' | 'timestamp'
  >;
  return type === 'Fail' || type === 'Succeed' ? [entered] : [entered, ...inner, exited];
}

/** A Lambda task call that succeeds. */
export const taskSucceeds = (): Omit<HistoryEvent, 'id' | 'timestamp'>[] =>
  [{ type: 'TaskScheduled' }, { type: 'TaskStarted' }, { type: 'TaskSucceeded' }] as never;

/** A Lambda task call that fails with a Lambda error (Cause as the runtime reports it). */
export function taskFails(error: string, message: string): Omit<HistoryEvent, 'id' | 'timestamp'>[] {
  const cause = JSON.stringify({ errorType: error, errorMessage: message, trace: [] });
  return [
    { type: 'TaskScheduled' },
    { type: 'TaskStarted' },
    { type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause } },
  ] as never;
}

/** A Distributed Map run. */
export function mapRun(mapRunArn: string): Omit<HistoryEvent, 'id' | 'timestamp'>[] {
  return [
    { type: 'MapStateStarted' },
    { type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn } },
    { type: 'MapRunSucceeded' },
    { type: 'MapStateSucceeded' },
  ] as never;
}

/** Prepare's output for a run (what its TaskStateExited carries). */
export function prepareOutput(runId: string, extra: Record<string, unknown> = {}) {
  return { datasetPrefix: 'datasets/demo', runPrefix: `runs/${runId}`, runId, complete: false, chunks: 4, ...extra };
}

/** CompleteRun's output (the execution's output) for a run whose audit passed. */
export function completeOutput(runId: string) {
  const run = `runs/${runId}`;
  return {
    datasetPrefix: 'datasets/demo',
    runPrefix: run,
    runId,
    complete: true,
    runKey: `${run}/run.json`,
    steps: 12,
    outputs: { audit: { reportKey: `${run}/audit/report.json`, htmlKey: `${run}/audit/report.html`, checks: 9, warnings: 1 } },
  };
}

/** A whole execution that completes: Prepare, the Tokenize map, MergeIndex (retried once), … CompleteRun. */
export function succeededHistory(runId: string, mapRunArn: string): HistoryEvent[] {
  return numbered([
    { type: 'ExecutionStarted' } as never,
    ...state('Task', 'Prepare', taskSucceeds(), prepareOutput(runId)),
    ...state('Choice', 'AlreadyComplete'),
    ...state('Map', 'TokenizeChunks', mapRun(mapRunArn)),
    ...state('Task', 'MergeIndex', [...taskFails('StorageTransient', 's3://b/k: SlowDown; try again'), ...taskSucceeds()]),
    ...state('Task', 'CompleteRun', taskSucceeds(), completeOutput(runId)),
    ...state('Succeed', 'Done'),
    { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: JSON.stringify(completeOutput(runId)) } } as never,
  ]);
}

/** An execution whose dataset.json is invalid: Prepare fails, Catch sends it to PipelineFailed. */
export function failedAtPrepareHistory(field: string, message: string): HistoryEvent[] {
  const cause = JSON.stringify({ errorType: 'InvalidInput', errorMessage: `${field}: ${message}`, trace: [] });
  return numbered([
    { type: 'ExecutionStarted' } as never,
    ...state('Task', 'Prepare', taskFails('InvalidInput', `${field}: ${message}`)).slice(0, -1),
    ...state('Fail', 'PipelineFailed'),
    { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'InvalidInput', cause } } as never,
  ]);
}
