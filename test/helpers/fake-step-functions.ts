/**
 * A small Step Functions service behind aws-sdk-client-mock, for the commands that drive a deployed
 * pipeline: executions are started (or refused as already existing), described, listed; each
 * GetExecutionHistory reveals a few more events of a scripted history (so progress is polled over
 * several rounds), and Map Runs count their items up as the history advances.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

/** How one execution goes: its whole history, its end, and the items of its Map Runs. */
export interface ExecutionScript {
  readonly history: HistoryEvent[];
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Items of each Map Run (default 40). */
  readonly mapItems?: number;
}

interface FakeExecution {
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  readonly script: ExecutionScript;
  revealed: number;
}

/** An error as the service answers it. */
function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** The fake service; `install()` mocks every SFNClient of the process until `restore()`. */
export class FakeStepFunctions {
  readonly executions = new Map<string, FakeExecution>();
  readonly mock = mockClient(SFNClient);
  private clock = Date.parse('2026-01-05T10:00:00Z');
  private readonly hidden = new Set<string>();

  constructor(
    readonly stateMachineArn: string,
    private readonly scriptOf: (name: string, input: unknown) => ExecutionScript,
    private readonly eventsPerPoll = 8,
  ) {
    this.install();
  }

  /** The ARN of execution `name` of the fake's state machine. */
  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Start an execution as the upload trigger would (before the CLI looks for it). */
  startAsTrigger(name: string, input: unknown): void {
    this.start(name, JSON.stringify(input));
  }

  /** The next DescribeExecution of `name` answers ExecutionDoesNotExist (eventual consistency: a start not seen yet). */
  hideFromNextDescribe(name: string): void {
    this.hidden.add(this.executionArn(name));
  }

  restore(): void {
    this.mock.restore();
  }

  private install(): void {
    const m = this.mock;
    m.on(DescribeStateMachineCommand).callsFake(async (input: { stateMachineArn: string }) => {
      if (input.stateMachineArn !== this.stateMachineArn)
        throw serviceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
      return {
        stateMachineArn: this.stateMachineArn,
        name: 'Pipeline',
        type: 'STANDARD',
        definition: '{}',
        roleArn: 'arn:aws:iam::1:role/r',
        creationDate: new Date(0),
      };
    });
    m.on(StartExecutionCommand).callsFake(async (input: { name: string; input: string }) => {
      const existing = this.executions.get(this.executionArn(input.name));
      // Step Functions: the same name and input while running is the same request; anything else is refused.
      if (existing !== undefined && (existing.input !== input.input || existing.revealed >= existing.script.history.length)) {
        throw serviceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
      }
      const execution = existing ?? this.start(input.name, input.input);
      return { executionArn: execution.arn, startDate: execution.startDate };
    });
    m.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => {
      if (this.hidden.delete(input.executionArn)) throw serviceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
      return this.describe(this.get(input.executionArn));
    });
    m.on(GetExecutionHistoryCommand).callsFake(async (input: { executionArn: string; reverseOrder?: boolean }) => {
      const execution = this.get(input.executionArn);
      execution.revealed = Math.min(execution.script.history.length, execution.revealed + this.eventsPerPoll);
      const events = execution.script.history.slice(0, execution.revealed);
      return { events: input.reverseOrder === true ? [...events].reverse() : events };
    });
    m.on(ListExecutionsCommand).callsFake(async () => ({
      executions: [...this.executions.values()].reverse().map((e) => ({ executionArn: e.arn, stateMachineArn: this.stateMachineArn, ...this.summary(e) })),
    }));
    m.on(ListMapRunsCommand).callsFake(async (input: { executionArn: string }) => ({
      mapRuns: this.mapRunsOf(this.get(input.executionArn)).map(({ arn, state }, i) => ({
        mapRunArn: arn,
        executionArn: input.executionArn,
        stateMachineArn: `${this.stateMachineArn}/${state}`,
        startDate: new Date(this.clock + i),
      })),
    }));
    m.on(DescribeMapRunCommand).callsFake(async (input: { mapRunArn: string }) => {
      const execution = [...this.executions.values()].find((e) => this.mapRunsOf(e).some((run) => run.arn === input.mapRunArn));
      if (execution === undefined) throw serviceError('ResourceNotFound', 'Map Run not found');
      const events = execution.script.history;
      const started = events.findIndex((e) => e.mapRunStartedEventDetails?.mapRunArn === input.mapRunArn);
      const ended = events.findIndex((e, i) => i > started && (e.type === 'MapRunSucceeded' || e.type === 'MapRunFailed'));
      const total = execution.script.mapItems ?? 40;
      const done = execution.revealed > ended ? total : Math.round((total * Math.max(0, execution.revealed - started)) / Math.max(1, ended - started + 1));
      const status = execution.revealed > ended ? 'SUCCEEDED' : 'RUNNING';
      return {
        mapRunArn: input.mapRunArn,
        executionArn: execution.arn,
        status,
        startDate: execution.startDate,
        maxConcurrency: 64,
        toleratedFailurePercentage: 0,
        toleratedFailureCount: 0,
        itemCounts: { pending: total - done, running: 0, succeeded: done, failed: 0, timedOut: 0, aborted: 0, total, resultsWritten: done },
        executionCounts: { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0 },
      };
    });
  }

  private start(name: string, input: string): FakeExecution {
    this.clock += 60_000;
    const execution: FakeExecution = {
      arn: this.executionArn(name),
      name,
      input,
      startDate: new Date(this.clock),
      script: this.scriptOf(name, JSON.parse(input)),
      revealed: 0,
    };
    this.executions.set(execution.arn, execution);
    return execution;
  }

  private get(arn: string): FakeExecution {
    const execution = this.executions.get(arn);
    if (execution === undefined) throw serviceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private summary(e: FakeExecution) {
    const ended = e.revealed >= e.script.history.length;
    return {
      name: e.name,
      status: ended ? e.script.status : 'RUNNING',
      startDate: e.startDate,
      ...(ended ? { stopDate: new Date(e.startDate.getTime() + 95_000) } : {}),
    };
  }

  private describe(e: FakeExecution) {
    const ended = e.revealed >= e.script.history.length;
    return {
      executionArn: e.arn,
      stateMachineArn: this.stateMachineArn,
      input: e.input,
      ...this.summary(e),
      ...(ended && e.script.output !== undefined ? { output: JSON.stringify(e.script.output) } : {}),
      ...(ended && e.script.error !== undefined ? { error: e.script.error, cause: e.script.cause } : {}),
    };
  }

  private mapRunsOf(e: FakeExecution): Array<{ arn: string; state: string }> {
    const runs: Array<{ arn: string; state: string }> = [];
    let state = '';
    for (const event of e.script.history.slice(0, e.revealed)) {
      if (event.stateEnteredEventDetails?.name !== undefined) state = event.stateEnteredEventDetails.name;
      if (event.mapRunStartedEventDetails?.mapRunArn !== undefined) runs.push({ arn: event.mapRunStartedEventDetails.mapRunArn, state });
    }
    return runs;
  }
}
