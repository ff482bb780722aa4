/**
 * An execution's history, folded into the progress a local run reports (state entered / exited /
 * retried / failed), plus what the end summary needs: the Map Runs started, Prepare's output (the
 * run id while the execution still runs) and the state that failed.
 */
import type { LocalRunEvent } from '../../local/run-events.js';
import type { ExecutionEvent } from '../../io/step-functions-types.js';

/** A failure the history reported for a state; retried or caught, we learn from what follows. */
interface PendingFailure {
  readonly state: string;
  readonly error: string;
  readonly cause: string;
}

/** Event types that end an execution. */
const END_EVENTS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
/** Events that report a failed attempt of the current state (Task or Map). */
const FAILURE_EVENTS = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'MapRunFailed',
  'MapRunAborted',
]);
/** Events that start a new attempt of the current state: after a failure, that is a retry. */
const ATTEMPT_EVENTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'MapRunStarted']);

/** Folds history events, in id order, into progress events; keeps what the summary reads. */
export class HistoryProgress {
  /** Id of the last event folded in: the next poll asks for newer ones only. */
  lastEventId = 0;
  /** The state being run (undefined before the first state). */
  current: { readonly name: string; readonly type: string } | undefined;
  /** The last state that did work before the execution failed (the Fail state itself excluded). */
  failedState: string | undefined;
  /** How the execution ended (its event type), once it has. */
  endEvent: ExecutionEvent | undefined;
  /** Prepare's output on exit (JSON text): the run id and folders. */
  prepareOutput: string | undefined;
  /** Map Runs by the state that started them, in start order. */
  readonly mapRuns = new Map<string, string>();
  private lastWorkState: string | undefined;
  private pending: PendingFailure | undefined;

  /** Fold in events newer than {@link lastEventId}; returns the progress they mean, in order. */
  apply(events: readonly ExecutionEvent[]): LocalRunEvent[] {
    const out: LocalRunEvent[] = [];
    for (const event of events) {
      if (event.id <= this.lastEventId) continue;
      this.lastEventId = event.id;
      this.fold(event, out);
    }
    return out;
  }

  /** Whether the execution has ended. */
  get ended(): boolean {
    return this.endEvent !== undefined;
  }

  private fold(event: ExecutionEvent, out: LocalRunEvent[]): void {
    const { type, stateName } = event;
    if (type.endsWith('StateEntered') && stateName !== undefined) return this.enter(stateName, type.slice(0, -'StateEntered'.length), out);
    if (type.endsWith('StateExited') && stateName !== undefined) {
      if (stateName === 'Prepare' && event.output !== undefined) this.prepareOutput = event.output;
      return this.exit(stateName, out);
    }
    if (type === 'MapRunStarted' && event.mapRunArn !== undefined && this.current !== undefined) this.mapRuns.set(this.current.name, event.mapRunArn);
    if (ATTEMPT_EVENTS.has(type) && this.pending !== undefined) {
      out.push(this.stateEvent('retried', this.pending.state, this.pending));
      this.pending = undefined;
    }
    if (FAILURE_EVENTS.has(type) && this.current !== undefined) {
      this.pending = { state: this.current.name, error: event.error ?? type, cause: event.cause ?? '' };
    }
    if (END_EVENTS.has(type)) {
      this.settlePending(out);
      this.endEvent = event;
      if (type !== 'ExecutionSucceeded') this.failedState = this.lastWorkState;
    }
  }

  private enter(name: string, type: string, out: LocalRunEvent[]): void {
    // Entering another state while a failure is pending: the failure was caught (Catch → next state).
    this.settlePending(out);
    this.current = { name, type };
    if (type !== 'Fail') this.lastWorkState = name;
    out.push(this.stateEvent('entered', name));
  }

  private exit(name: string, out: LocalRunEvent[]): void {
    if (this.pending?.state === name) {
      this.settlePending(out);
      return;
    }
    out.push(this.stateEvent('exited', name));
  }

  private settlePending(out: LocalRunEvent[]): void {
    if (this.pending === undefined) return;
    out.push(this.stateEvent('failed', this.pending.state, this.pending));
    this.pending = undefined;
  }

  private stateEvent(phase: 'entered' | 'exited' | 'failed' | 'retried', state: string, failure?: PendingFailure): LocalRunEvent {
    const type = this.current?.name === state ? this.current.type : 'Task';
    return { kind: 'state', phase, state, type, depth: 0, ...(failure !== undefined ? { error: failure.error, cause: failure.cause } : {}) };
  }
}
