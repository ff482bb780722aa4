/**
 * The Step Functions adapter: the only importer of @aws-sdk/client-sfn. Every call is retried on
 * throttling and 5xx with one backoff policy (the SDK's own retries are off, so there is exactly
 * one), and every failure becomes a typed error that says what to change.
 */
import type { HistoryEvent as SdkHistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_RETRY_POLICY, retryTransient, type RetryPolicy } from './retry-transient.js';
import { isTransientSfnError, translateSfnError, type SfnCallContext } from './step-functions-errors.js';
import {
  executionEventOf,
  type ExecutionDescription,
  type ExecutionEvent,
  type ExecutionListItem,
  type ExecutionStatus,
  type MapRunDescription,
  type MapRunListItem,
} from './step-functions-types.js';

/** The SDK module, loaded on first use: local runs never call Step Functions. */
type SfnSdk = typeof import('@aws-sdk/client-sfn');
let sdk: Promise<SfnSdk> | undefined;
function loadSdk(): Promise<SfnSdk> {
  return (sdk ??= import('@aws-sdk/client-sfn'));
}

/** Options of {@link StepFunctions}. */
export interface StepFunctionsOptions {
  /** The client to use (tests inject a mocked one); else one built from the standard AWS environment. */
  readonly client?: SFNClient;
  readonly retry?: RetryPolicy;
  /** The environment named in "no credentials" messages (tests pass their own). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Who the client acts as: its configured region and, when the credentials say, the account. */
export interface CallerIdentity {
  readonly region?: string;
  readonly accountId?: string;
}

/** History pages are read newest first; 1,000 is the most one page may hold. */
const PAGE_SIZE = 1000;

/** Step Functions, as megashard uses it: start, describe and watch executions of one pipeline. */
export class StepFunctions {
  private readonly client: Promise<SFNClient>;
  private readonly retry: RetryPolicy;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: StepFunctionsOptions = {}) {
    // maxAttempts 1: retries are ours (retryTransient), so a throttled call is retried once per policy, not 3 × 6 times.
    this.client = options.client !== undefined ? Promise.resolve(options.client) : loadSdk().then((loaded) => new loaded.SFNClient({ maxAttempts: 1 }));
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.env = options.env ?? process.env;
  }

  /** The region the client signs for and the credentials' account (undefined when unknown). */
  async callerIdentity(): Promise<CallerIdentity> {
    const client = await this.client;
    const region = await client.config.region().catch(() => undefined);
    try {
      const credentials = await client.config.credentials();
      return { ...(region ? { region } : {}), ...(credentials.accountId ? { accountId: credentials.accountId } : {}) };
    } catch (error) {
      throw translateSfnError(error, { action: 'resolving credentials', resource: 'AWS' }, this.env);
    }
  }

  /** The state machine exists and these credentials may describe it (checked before uploading anything). */
  async describeStateMachine(stateMachineArn: string): Promise<{ readonly name: string; readonly type: string }> {
    const out = await this.send({ action: 'states:DescribeStateMachine', resource: stateMachineArn }, (c, s) =>
      c.send(new s.DescribeStateMachineCommand({ stateMachineArn })),
    );
    return { name: out.name ?? '', type: out.type ?? '' };
  }

  /** Start an execution; ExecutionAlreadyExistsError when the name was used (by the trigger, or an earlier call). */
  async startExecution(request: {
    stateMachineArn: string;
    name: string;
    input: unknown;
    executionArn: string;
  }): Promise<{ executionArn: string; startDate: Date }> {
    const { stateMachineArn, name, input, executionArn } = request;
    const out = await this.send({ action: 'states:StartExecution', resource: executionArn }, (c, s) =>
      c.send(new s.StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
    );
    return { executionArn: out.executionArn ?? executionArn, startDate: out.startDate ?? new Date(0) };
  }

  /** The execution, or undefined when none has that ARN (not started yet). */
  async describeExecution(executionArn: string): Promise<ExecutionDescription | undefined> {
    const out = await this.send({ action: 'states:DescribeExecution', resource: executionArn }, (c, s) =>
      c.send(new s.DescribeExecutionCommand({ executionArn })).catch((error: unknown) => {
        if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return undefined;
        throw error;
      }),
    );
    if (out === undefined) return undefined;
    return {
      ...listItem({ ...out, executionArn: out.executionArn ?? executionArn }),
      ...(out.input !== undefined ? { input: out.input } : {}),
      ...(out.output !== undefined ? { output: out.output } : {}),
      ...(out.error !== undefined ? { error: out.error } : {}),
      ...(out.cause !== undefined ? { cause: out.cause } : {}),
    };
  }

  /**
   * History events after `afterEventId`, oldest first. Pages are read newest first and reading
   * stops at the first known event, so polling a long execution costs one page per poll.
   */
  async historySince(executionArn: string, afterEventId = 0): Promise<ExecutionEvent[]> {
    const newer: SdkHistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send({ action: 'states:GetExecutionHistory', resource: executionArn }, (c, s) =>
        c.send(
          new s.GetExecutionHistoryCommand({
            executionArn,
            reverseOrder: true,
            maxResults: PAGE_SIZE,
            includeExecutionData: true,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      const events = page.events ?? [];
      const fresh = events.filter((event) => (event.id ?? 0) > afterEventId);
      newer.push(...fresh);
      nextToken = fresh.length === events.length ? page.nextToken : undefined;
    } while (nextToken !== undefined);
    return newer.map(executionEventOf).sort((a, b) => a.id - b.id);
  }

  /** Every Map Run an execution started (ListMapRuns, all pages). */
  async listMapRuns(executionArn: string): Promise<MapRunListItem[]> {
    const runs: MapRunListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send({ action: 'states:ListMapRuns', resource: executionArn }, (c, s) =>
        c.send(new s.ListMapRunsCommand({ executionArn, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) })),
      );
      for (const run of page.mapRuns ?? []) {
        runs.push({
          mapRunArn: run.mapRunArn ?? '',
          executionArn: run.executionArn ?? executionArn,
          stateMachineArn: run.stateMachineArn ?? '',
          startDate: run.startDate ?? new Date(0),
          ...(run.stopDate !== undefined ? { stopDate: run.stopDate } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return runs;
  }

  /** A Map Run's status and item counts. */
  async describeMapRun(mapRunArn: string): Promise<MapRunDescription> {
    const out = await this.send({ action: 'states:DescribeMapRun', resource: mapRunArn }, (c, s) => c.send(new s.DescribeMapRunCommand({ mapRunArn })));
    const c = out.itemCounts;
    return {
      mapRunArn,
      status: out.status ?? 'UNKNOWN',
      items: {
        pending: c?.pending ?? 0,
        running: c?.running ?? 0,
        succeeded: c?.succeeded ?? 0,
        failed: c?.failed ?? 0,
        timedOut: c?.timedOut ?? 0,
        aborted: c?.aborted ?? 0,
        total: c?.total ?? 0,
      },
    };
  }

  /** The most recent executions, newest first, at most `limit` (pages read until there are enough). */
  async listExecutions(stateMachineArn: string, limit: number): Promise<ExecutionListItem[]> {
    const found: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send({ action: 'states:ListExecutions', resource: stateMachineArn }, (c, s) =>
        c.send(new s.ListExecutionsCommand({ stateMachineArn, maxResults: Math.min(PAGE_SIZE, limit - found.length), ...(nextToken ? { nextToken } : {}) })),
      );
      for (const item of page.executions ?? []) found.push(listItem(item));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && found.length < limit);
    return found.slice(0, limit);
  }

  /** One call: retried while transient, then translated into a typed error naming the action. */
  private async send<O>(context: SfnCallContext, call: (client: SFNClient, s: SfnSdk) => Promise<O>): Promise<O> {
    const [s, client] = await Promise.all([loadSdk(), this.client]);
    try {
      return await retryTransient(() => call(client, s), isTransientSfnError, this.retry);
    } catch (error) {
      throw translateSfnError(error, context, this.env);
    }
  }
}

function listItem(item: { executionArn?: string; name?: string; status?: string; startDate?: Date; stopDate?: Date }): ExecutionListItem {
  return {
    executionArn: item.executionArn ?? '',
    name: item.name ?? '',
    status: (item.status ?? 'RUNNING') as ExecutionStatus,
    startDate: item.startDate ?? new Date(0),
    ...(item.stopDate !== undefined ? { stopDate: item.stopDate } : {}),
  };
}
