/**
 * The Step Functions adapter against aws-sdk-client-mock: the requests it sends, pagination of
 * GetExecutionHistory / ListMapRuns / ListExecutions, throttling retried with backoff, and every
 * error path turned into a typed error that says what to change.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccessDeniedError, ExecutionAlreadyExistsError, InvalidInputError, MissingCredentialsError, ServiceError } from '../../lib/core/errors.js';
import { StepFunctions } from '../../lib/io/step-functions.js';
import { checkRemoteTarget, resolveRemoteTarget } from '../../lib/run/remote/remote-target.js';
import { numbered, state, succeededHistory, taskSucceeds } from '../helpers/sfn-history.js';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:Pipeline:demo-0123';
const MAP_RUN = 'arn:aws:states:eu-west-1:123456789012:mapRun:Pipeline/TokenizeChunks:0f1e';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

const sfnMock = mockClient(SFNClient);
let sleeps: number[];

/** An adapter on a mocked client; retries wait nothing but are recorded. */
function adapter(options: { credentials?: SFNClient['config']['credentials']; region?: string } = {}): StepFunctions {
  const client = new SFNClient({ region: options.region ?? 'eu-west-1', credentials: options.credentials ?? CREDENTIALS });
  return new StepFunctions({
    client,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1, sleep: async (ms) => void sleeps.push(ms) },
    env: { AWS_PROFILE: 'research' },
  });
}

/** An error as the SDK raises it for a service answer. */
function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  sfnMock.reset();
  sleeps = [];
});
afterEach(() => sfnMock.reset());

describe('requests', () => {
  it('starts an execution with its name and its input as JSON', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date('2026-01-05T10:00:00Z') });
    const started = await adapter().startExecution({
      stateMachineArn: MACHINE,
      name: 'demo-0123',
      input: { detail: { object: { key: 'datasets/demo/dataset.json' } } },
      executionArn: EXECUTION,
    });
    expect(started).toEqual({ executionArn: EXECUTION, startDate: new Date('2026-01-05T10:00:00Z') });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: 'demo-0123',
      input: '{"detail":{"object":{"key":"datasets/demo/dataset.json"}}}',
    });
  });

  it('describes an execution, and answers undefined for one that does not exist (yet)', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn: EXECUTION,
        name: 'demo-0123',
        status: 'FAILED',
        startDate: new Date(0),
        stopDate: new Date(5000),
        error: 'InvalidInput',
        cause: 'c',
        stateMachineArn: MACHINE,
      })
      .rejectsOnce(sdkError('ExecutionDoesNotExist', 400));
    expect(await adapter().describeExecution(EXECUTION)).toEqual({
      executionArn: EXECUTION,
      name: 'demo-0123',
      status: 'FAILED',
      startDate: new Date(0),
      stopDate: new Date(5000),
      error: 'InvalidInput',
      cause: 'c',
    });
    expect(await adapter().describeExecution(EXECUTION)).toBeUndefined();
  });

  it('reads the history newest first, page after page, and returns it oldest first', async () => {
    const history = succeededHistory('r', MAP_RUN);
    const newestFirst = [...history].reverse();
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: newestFirst.slice(0, 10), nextToken: 'page-2' })
      .resolvesOnce({ events: newestFirst.slice(10, 20), nextToken: 'page-3' })
      .resolvesOnce({ events: newestFirst.slice(20) });
    const events = await adapter().historySince(EXECUTION);
    expect(events.map((e) => e.id)).toEqual(history.map((e) => e.id));
    const inputs = sfnMock.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { executionArn: EXECUTION, reverseOrder: true, maxResults: 1000, includeExecutionData: true },
      { executionArn: EXECUTION, reverseOrder: true, maxResults: 1000, includeExecutionData: true, nextToken: 'page-2' },
      { executionArn: EXECUTION, reverseOrder: true, maxResults: 1000, includeExecutionData: true, nextToken: 'page-3' },
    ]);
    expect(events.find((e) => e.type === 'MapRunStarted')?.mapRunArn).toBe(MAP_RUN);
  });

  it('stops paging at the first event already seen: polling a long execution reads one page', async () => {
    const history = numbered([
      { type: 'ExecutionStarted' } as never,
      ...state('Task', 'Prepare', taskSucceeds()),
      ...state('Task', 'MergeIndex', taskSucceeds()),
    ]);
    const newestFirst = [...history].reverse();
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: newestFirst.slice(0, 4), nextToken: 'page-2' })
      .resolves({ events: newestFirst.slice(4) });
    const events = await adapter().historySince(EXECUTION, history.length - 3);
    expect(events.map((e) => e.id)).toEqual([history.length - 2, history.length - 1, history.length]);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(1);
  });

  it("lists every Map Run of an execution over pages, and describes one's item counts", async () => {
    const run = (n: number) => ({ mapRunArn: `${MAP_RUN}${n}`, executionArn: EXECUTION, stateMachineArn: `${MACHINE}/TokenizeChunks`, startDate: new Date(n) });
    sfnMock
      .on(ListMapRunsCommand)
      .resolvesOnce({ mapRuns: [run(1), run(2)], nextToken: 't' })
      .resolvesOnce({ mapRuns: [run(3)] });
    expect((await adapter().listMapRuns(EXECUTION)).map((r) => r.mapRunArn)).toEqual([`${MAP_RUN}1`, `${MAP_RUN}2`, `${MAP_RUN}3`]);
    expect(sfnMock.commandCalls(ListMapRunsCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: EXECUTION, maxResults: 1000 },
      { executionArn: EXECUTION, maxResults: 1000, nextToken: 't' },
    ]);
    sfnMock.on(DescribeMapRunCommand).resolves({
      mapRunArn: MAP_RUN,
      executionArn: EXECUTION,
      status: 'RUNNING',
      startDate: new Date(0),
      maxConcurrency: 64,
      toleratedFailurePercentage: 0,
      toleratedFailureCount: 0,
      itemCounts: { pending: 10, running: 8, succeeded: 80, failed: 1, timedOut: 0, aborted: 1, total: 100, resultsWritten: 80 },
      executionCounts: { pending: 3, running: 2, succeeded: 20, failed: 1, timedOut: 0, aborted: 0, total: 26, resultsWritten: 20 },
    });
    expect(await adapter().describeMapRun(MAP_RUN)).toEqual({
      mapRunArn: MAP_RUN,
      status: 'RUNNING',
      items: { pending: 10, running: 8, succeeded: 80, failed: 1, timedOut: 0, aborted: 1, total: 100 },
    });
  });

  it('lists recent executions over pages until it has enough', async () => {
    const item = (n: number) => ({
      executionArn: `${EXECUTION}${n}`,
      stateMachineArn: MACHINE,
      name: `e${n}`,
      status: 'SUCCEEDED' as const,
      startDate: new Date(n),
    });
    sfnMock
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [item(1), item(2)], nextToken: 't2' })
      .resolvesOnce({ executions: [item(3), item(4)], nextToken: 't3' });
    const listed = await adapter().listExecutions(MACHINE, 3);
    expect(listed.map((e) => e.name)).toEqual(['e1', 'e2', 'e3']);
    expect(sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, maxResults: 3 },
      { stateMachineArn: MACHINE, maxResults: 1, nextToken: 't2' },
    ]);
  });
});

describe('throttling', () => {
  it('retries ThrottlingException and 5xx with exponential backoff, then succeeds', async () => {
    sfnMock
      .on(DescribeStateMachineCommand)
      .rejectsOnce(sdkError('ThrottlingException', 400, 'Rate exceeded'))
      .rejectsOnce(sdkError('ServiceUnavailable', 503))
      .rejectsOnce(sdkError('ThrottlingException', 400, 'Rate exceeded'))
      .resolves({ name: 'Pipeline', type: 'STANDARD', stateMachineArn: MACHINE, definition: '{}', roleArn: 'r', creationDate: new Date(0) });
    expect(await adapter().describeStateMachine(MACHINE)).toEqual({ name: 'Pipeline', type: 'STANDARD' });
    expect(sfnMock.commandCalls(DescribeStateMachineCommand)).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it("gives up after the policy's attempts with ServiceTransient naming the call", async () => {
    sfnMock.on(GetExecutionHistoryCommand).rejects(sdkError('ThrottlingException', 400, 'Rate exceeded'));
    const error = await adapter()
      .historySince(EXECUTION)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).name).toBe('ServiceTransient');
    expect((error as Error).message).toMatch(/states:GetExecutionHistory on .*demo-0123: ThrottlingException: Rate exceeded; still failing after retries/);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(4);
  });

  it('never retries what cannot pass on a retry', async () => {
    sfnMock.on(DescribeStateMachineCommand).rejects(sdkError('AccessDeniedException', 400));
    await expect(adapter().describeStateMachine(MACHINE)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(sfnMock.commandCalls(DescribeStateMachineCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('errors', () => {
  it('ExecutionAlreadyExists: a typed error carrying the execution ARN (starters treat it as success)', async () => {
    sfnMock.on(StartExecutionCommand).rejects(sdkError('ExecutionAlreadyExists', 400, 'Execution Already Exists'));
    const error = await adapter()
      .startExecution({ stateMachineArn: MACHINE, name: 'demo-0123', input: {}, executionArn: EXECUTION })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionAlreadyExistsError);
    expect((error as ExecutionAlreadyExistsError).executionArn).toBe(EXECUTION);
  });

  it('an unknown state machine: InvalidInput naming the ARN and where to find the right one', async () => {
    sfnMock.on(DescribeStateMachineCommand).rejects(sdkError('StateMachineDoesNotExist', 400, `State Machine Does Not Exist: '${MACHINE}'`));
    await expect(adapter().describeStateMachine(MACHINE)).rejects.toThrow(
      new RegExp(
        `^stateMachineArn: ${MACHINE}: no such state machine \\(deleted, or in another account or region\\); check --state-machine or the outputs file's StateMachineArn$`,
      ),
    );
  });

  it('access denied: AccessDenied naming the IAM action and the resource', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(sdkError('AccessDeniedException', 400, 'User: arn:aws:iam::1:user/u is not authorized to perform: states:StartExecution'));
    const error = await adapter()
      .startExecution({ stateMachineArn: MACHINE, name: 'n', input: {}, executionArn: EXECUTION })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toMatch(
      /^states:StartExecution on .*execution:Pipeline:demo-0123: AccessDeniedException: User: .* is not authorized .*; use credentials of the account that owns it, allowed states:StartExecution on it$/,
    );
  });

  it('an invalid ARN: InvalidInput', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(sdkError('InvalidArn', 400, 'Invalid Arn'));
    await expect(adapter().describeExecution('arn:bad')).rejects.toThrow(/^arn: arn:bad: Invalid Arn$/);
  });

  it('no credentials: MissingCredentials listing the environment variables and the profile it looked for', async () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const stepFunctions = adapter({ credentials: () => Promise.reject(missing) });
    const error = await stepFunctions.callerIdentity().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingCredentialsError);
    const message = (error as Error).message;
    expect(message).toContain('AWS_ACCESS_KEY_ID (unset)');
    expect(message).toContain('AWS_SECRET_ACCESS_KEY (unset)');
    expect(message).toContain('profile "research" (from AWS_PROFILE)');
    expect(message).toContain('AWS_WEB_IDENTITY_TOKEN_FILE (unset)');
    expect(message).toContain('Could not load credentials from any providers');
    // The same on a call: the SDK resolves credentials before sending.
    sfnMock.on(DescribeStateMachineCommand).rejects(missing);
    await expect(adapter().describeStateMachine(MACHINE)).rejects.toBeInstanceOf(MissingCredentialsError);
  });
});

describe('checkRemoteTarget (before any upload)', () => {
  const target = resolveRemoteTarget({ stateMachine: MACHINE, bucket: 'megashard-data' });

  it('refuses a state machine of another region, naming both and the variable to set', async () => {
    await expect(checkRemoteTarget(adapter({ region: 'us-east-1' }), target)).rejects.toThrow(
      /--state-machine: .* is in region eu-west-1, but the AWS configuration says us-east-1; set AWS_REGION=eu-west-1/,
    );
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('refuses to guess a region when none is configured, naming the one to set', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/megashard-test-config');
    vi.stubEnv('AWS_PROFILE', 'none');
    try {
      const client = new SFNClient({ credentials: CREDENTIALS });
      await expect(checkRemoteTarget(new StepFunctions({ client }), target)).rejects.toThrow(
        /^AWS_REGION: is not set; set AWS_REGION=eu-west-1 \(the state machine's region\)$/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('refuses a state machine of another account when the credentials say which account they are', async () => {
    const stepFunctions = adapter({ credentials: async () => ({ ...CREDENTIALS, accountId: '999999999999' }) });
    await expect(checkRemoteTarget(stepFunctions, target)).rejects.toThrow(/belongs to account 123456789012, but the credentials are for account 999999999999/);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('otherwise describes the state machine: one that is not there stops the command', async () => {
    sfnMock.on(DescribeStateMachineCommand).rejects(sdkError('StateMachineDoesNotExist', 400));
    await expect(checkRemoteTarget(adapter(), target)).rejects.toBeInstanceOf(InvalidInputError);
    sfnMock
      .on(DescribeStateMachineCommand)
      .resolves({ name: 'Pipeline', type: 'STANDARD', stateMachineArn: MACHINE, definition: '{}', roleArn: 'r', creationDate: new Date(0) });
    await expect(checkRemoteTarget(adapter(), target)).resolves.toBeUndefined();
  });
});
