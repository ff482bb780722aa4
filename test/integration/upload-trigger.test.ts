/**
 * The upload trigger Lambda (lambdas/trigger/handler.ts) against a mocked Step Functions: the
 * execution is named by the upload, a duplicated event starts nothing new (ExecutionAlreadyExists
 * is success, logged), and uploads outside datasets/ are ignored.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { executionNameOf } from '../../lib/core/pipeline/execution-name.js';
import { StepFunctions } from '../../lib/io/step-functions.js';
import { createTriggerHandler, triggerResultSchema } from '../../lib/run/remote/trigger-execution.js';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline';
const sfnMock = mockClient(SFNClient);

function uploadEvent(key: string, versionId = '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY') {
  return {
    version: '0',
    id: 'c9888434-815d-c6f4-9fc2-4dd7bdeccaaf',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-01-05T10:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:s3:::megashard-data'],
    detail: {
      version: '0',
      bucket: { name: 'megashard-data' },
      object: { key, size: 311, etag: 'd41d8cd98f00b204e9800998ecf8427e', 'version-id': versionId, sequencer: '0064D3901D00059242' },
      'request-id': 'XRRTKJXSZQCWNQR1',
      requester: '123456789012',
      reason: 'PutObject',
    },
  };
}

let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  vi.stubEnv('MEGASHARD_STATE_MACHINE_ARN', MACHINE);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  ({ handler } = await import('../../lambdas/trigger/handler.js'));
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
beforeEach(() => sfnMock.reset());

describe('the trigger Lambda', () => {
  it("starts the upload's execution, named by the rule, with the normalized upload as input", async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace('stateMachine', 'execution')}:x`, startDate: new Date() });
    const event = uploadEvent('datasets/llava/dataset.json');
    const result = triggerResultSchema.parse(await handler(event));
    const name = executionNameOf({ bucket: 'megashard-data', key: 'datasets/llava/dataset.json', versionId: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY' });
    expect(result).toMatchObject({ status: 'started', key: 'datasets/llava/dataset.json', execution: name });
    const input = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(MACHINE);
    expect(input.name).toBe(name);
    expect(JSON.parse(input.input ?? '')).toEqual({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'megashard-data' }, object: { key: 'datasets/llava/dataset.json', 'version-id': '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY' } },
    });
  });

  it('treats a duplicated event as success: the same request again, refused as ExecutionAlreadyExists, starts nothing new', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:x', startDate: new Date() })
      .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists', $metadata: { httpStatusCode: 400 } }));
    const event = uploadEvent('datasets/llava/dataset.json');
    const first = triggerResultSchema.parse(await handler(event));
    const second = triggerResultSchema.parse(await handler(structuredClone(event)));
    expect(first.status).toBe('started');
    expect(second).toMatchObject({ status: 'already-started', execution: first.status === 'ignored' ? '' : first.execution });
    const [a, b] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(b).toEqual(a);
  });

  it('names a new version of dataset.json as a new execution', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    await handler(uploadEvent('datasets/llava/dataset.json', 'v1'));
    await handler(uploadEvent('datasets/llava/dataset.json', 'v2'));
    const [a, b] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(a).not.toBe(b);
  });

  it('ignores dataset.json uploads outside datasets/<name>/ without calling Step Functions', async () => {
    for (const key of ['runs/0123/dataset.json', 'datasets/dataset.json', 'other/x/dataset.json']) {
      expect(await handler(uploadEvent(key))).toMatchObject({ status: 'ignored', key });
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('rejects an event that is not an S3 Object Created event, naming the field', async () => {
    await expect(handler({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' } } })).rejects.toThrow(/event\.detail\.object/);
  });
});

describe('createTriggerHandler', () => {
  it('logs what it did, and names the missing state machine setting', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const lines: Array<[string, unknown]> = [];
    const logger = { info: (message: string, extra: unknown) => void lines.push([message, extra]) } as never;
    const sfn = new StepFunctions({ client: new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }) });
    await createTriggerHandler({ sfn, stateMachineArn: () => MACHINE, logger })(uploadEvent('datasets/x/dataset.json'));
    await createTriggerHandler({ sfn, stateMachineArn: () => MACHINE, logger })(uploadEvent('notes/x/dataset.json'));
    expect(lines.map(([message]) => message)).toEqual(['execution started', 'upload ignored']);
    const unset = createTriggerHandler({ sfn, stateMachineArn: () => '', logger });
    await expect(unset(uploadEvent('datasets/x/dataset.json'))).rejects.toThrow(InvalidInputError);
    await expect(unset(uploadEvent('datasets/x/dataset.json'))).rejects.toThrow(/^MEGASHARD_STATE_MACHINE_ARN: "" is not a state machine ARN/);
  });
});
