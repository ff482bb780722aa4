/** An execution's history folded into a local run's progress events, and what the summary reads. */
import { describe, expect, it } from 'vitest';
import { executionEventOf } from '../../lib/io/step-functions-types.js';
import { HistoryProgress } from '../../lib/run/remote/history-progress.js';
import { failedAtPrepareHistory, succeededHistory } from '../helpers/sfn-history.js';

const MAP_RUN = 'arn:aws:states:eu-west-1:123456789012:mapRun:Pipeline/TokenizeChunks:0f1e2d';

describe('HistoryProgress', () => {
  it("reports states entered and exited, a retry with its error, the map run and Prepare's output", () => {
    const progress = new HistoryProgress();
    const events = progress.apply(succeededHistory('0123456789abcdef01234567', MAP_RUN).map(executionEventOf));
    const lines = events.map((e) => (e.kind === 'state' ? `${e.phase} ${e.state} ${e.type}${e.error ? ` ${e.error}` : ''}` : 'map'));
    expect(lines).toEqual([
      'entered Prepare Task',
      'exited Prepare Task',
      'entered AlreadyComplete Choice',
      'exited AlreadyComplete Choice',
      'entered TokenizeChunks Map',
      'exited TokenizeChunks Map',
      'entered MergeIndex Task',
      'retried MergeIndex Task StorageTransient',
      'exited MergeIndex Task',
      'entered CompleteRun Task',
      'exited CompleteRun Task',
      'entered Done Succeed',
    ]);
    expect(progress.mapRuns.get('TokenizeChunks')).toBe(MAP_RUN);
    expect(JSON.parse(progress.prepareOutput ?? '{}').runId).toBe('0123456789abcdef01234567');
    expect(progress.ended).toBe(true);
    expect(progress.endEvent?.type).toBe('ExecutionSucceeded');
    expect(progress.failedState).toBeUndefined();
  });

  it('names the state that failed and its error when Catch sends it to the Fail state', () => {
    const progress = new HistoryProgress();
    const events = progress.apply(failedAtPrepareHistory('datasets/demo/dataset.json.sources.0.path', 'is empty').map(executionEventOf));
    const failed = events.find((e) => e.kind === 'state' && e.phase === 'failed');
    expect(failed).toMatchObject({ state: 'Prepare', error: 'InvalidInput' });
    expect(progress.failedState).toBe('Prepare');
    expect(progress.endEvent).toMatchObject({ type: 'ExecutionFailed', error: 'InvalidInput' });
    expect(progress.endEvent?.cause).toContain('dataset.json.sources.0.path');
  });

  it('gives the same events when the history arrives in pieces, and skips events it has seen', () => {
    const history = succeededHistory('r', MAP_RUN).map(executionEventOf);
    const whole = new HistoryProgress().apply(history);
    const pieces = new HistoryProgress();
    const seen = [...pieces.apply(history.slice(0, 7)), ...pieces.apply(history.slice(3, 20)), ...pieces.apply(history)];
    expect(seen).toEqual(whole);
    expect(pieces.lastEventId).toBe(history.length);
  });
});
