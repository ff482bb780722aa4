/**
 * `megashard run --on aws`, `runs --on aws` and `status` against a local S3 server (s3rver) and a
 * mocked Step Functions (aws-sdk-client-mock): the upload (dataset.json last), one execution per
 * upload whoever starts it, the progress of a local run, the end summary, a failure's state and
 * zod path, and every refusal before anything is uploaded.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { executionNameOf } from '../../lib/core/pipeline/execution-name.js';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import { FakeStepFunctions, type ExecutionScript } from '../helpers/fake-step-functions.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { failedAtPrepareHistory, numbered, prepareOutput, state, succeededHistory, taskSucceeds } from '../helpers/sfn-history.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'megashard-data';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline';
const RUN_ID = '0123456789abcdef01234567';
const MAP_RUN = 'arn:aws:states:eu-west-1:123456789012:mapRun:Pipeline/TokenizeChunks:5f2c';

let tmp: string;
let dataset: string;
let outputs: string;
let s3: S3rverHandle;
let sfn: FakeStepFunctions;
/** How each execution goes, by the dataset.json key it was started for. */
let scripts: Map<string, ExecutionScript>;

beforeAll(async () => {
  tmp = await makeTempDir('run-on-aws');
  s3 = await startS3rver([BUCKET]);
  setDefaultS3Client(s3.client);
  dataset = join(tmp, 'llava');
  expect((await runCli(['synth', 'llava-sft', '--samples', '30', '--seed', '1', '--out', dataset, '--no-images'])).code).toBe(0);
  outputs = join(tmp, 'cdk-outputs.json');
  await writeFile(
    outputs,
    JSON.stringify({ MegashardPipeline: { BucketName: BUCKET, StateMachineArn: MACHINE, DatasetsPrefix: 'datasets/', RunsPrefix: 'runs/' } }),
  );
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  setDefaultS3Client(undefined);
  await s3?.stop();
  await removeTempDir(tmp);
});
beforeEach(() => {
  sfn?.restore();
  scripts = new Map();
  sfn = new FakeStepFunctions(
    MACHINE,
    (_name, input) => {
      const key = (input as { detail: { object: { key: string } } }).detail.object.key;
      return (
        scripts.get(key) ?? {
          history: succeededHistory(RUN_ID, MAP_RUN),
          status: 'SUCCEEDED',
          output: JSON.parse(succeededHistory(RUN_ID, MAP_RUN).at(-1)!.executionSucceededEventDetails!.output!),
        }
      );
    },
    5,
  );
});

/** The name the trigger and the CLI give the upload now in the bucket at `key`. */
async function nameOfUpload(key: string): Promise<string> {
  const { etag, versionId } = await s3.store(`s3://${BUCKET}`).objectVersion(key);
  return executionNameOf({ bucket: BUCKET, key, etag, ...(versionId ? { versionId } : {}) });
}

function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('run --on aws', () => {
  it("uploads the folder, starts the upload's execution, follows it like a local run and ends with the run folder and the audit verdict", async () => {
    const { code, stdout, stderr } = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--json', '--poll-ms', '100']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Every file of the folder is in the bucket under datasets/<folder name>/.
    const uploaded = await s3.store(`s3://${BUCKET}/datasets/llava`).list('');
    expect(uploaded).toEqual(await listFilesUnder(dataset));
    const name = await nameOfUpload('datasets/llava/dataset.json');
    const events = jsonEvents(stdout);
    expect(events[0]).toMatchObject({ event: 'upload', done: 1 });
    expect(events.find((e) => e.event === 'uploaded')).toMatchObject({ dataset: `s3://${BUCKET}/datasets/llava/dataset.json`, files: uploaded.length });
    expect(events.find((e) => e.event === 'execution')).toEqual({ event: 'execution', action: 'started', name, executionArn: sfn.executionArn(name) });
    // The request: the rule's name, the normalized upload as input.
    const start = sfn.mock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: MACHINE, name });
    expect(JSON.parse(start.input!)).toMatchObject({ source: 'aws.s3', detail: { bucket: { name: BUCKET }, object: { key: 'datasets/llava/dataset.json' } } });
    // The progress a local run shows: states in order, a retry, the map's items up to the total.
    const states = events.filter((e) => e.event === 'state').map((e) => `${e.phase} ${e.state}`);
    expect(states).toEqual(expect.arrayContaining(['entered Prepare', 'exited Prepare', 'entered TokenizeChunks', 'retried MergeIndex', 'exited CompleteRun']));
    const items = events.filter((e) => e.event === 'map').map((e) => (e.progress as { doneItems: number; totalItems: number }).doneItems);
    expect(items.at(-1)).toBe(40);
    expect([...items].sort((a, b) => a - b)).toEqual(items);
    expect(states.indexOf('exited TokenizeChunks')).toBeGreaterThan(-1);
    const ended = events.at(-1)!;
    expect(ended).toMatchObject({
      event: 'ended',
      summary: {
        name,
        status: 'SUCCEEDED',
        outcome: 'complete',
        runId: RUN_ID,
        runFolder: `s3://${BUCKET}/runs/${RUN_ID}`,
        audit: { passed: true, checks: 9, warnings: 1, html: `s3://${BUCKET}/runs/${RUN_ID}/audit/report.html` },
      },
    });
    // Polled over several rounds, reading only the new events each time.
    expect(sfn.mock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('follows the execution already started for the same upload (by the trigger) instead of starting another', async () => {
    const first = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--detach', '--name', 'llava-twice']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^started execution llava-twice-[0-9a-f]{32}$/m);
    expect(first.stdout).toMatch(/megashard execution llava-twice-[0-9a-f]{32}: running\n {2}follow it {4}: megashard status llava-twice-/);
    // The same upload, from the bucket: same name, so the one execution is followed.
    const again = await runCli(['run', `s3://${BUCKET}/datasets/llava-twice`, '--on', 'aws', '--outputs', outputs, '--poll-ms', '100']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^using s3:\/\/megashard-data\/datasets\/llava-twice\/dataset\.json\nfollowing execution llava-twice-/);
    expect(again.stderr).toMatch(/^TokenizeChunks: 40\/40 items$/m);
    expect(again.stdout).toMatch(
      /: complete\n {2}run folder {3}: s3:\/\/megashard-data\/runs\/0123456789abcdef01234567\n {2}audit {8}: passed, 9 checks \(1 warnings\)/,
    );
    expect(sfn.mock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('attaches when its StartExecution loses the race to the trigger (ExecutionAlreadyExists)', async () => {
    const uploaded = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--detach', '--name', 'llava-race']);
    expect(uploaded.code).toBe(0);
    const name = await nameOfUpload('datasets/llava-race/dataset.json');
    // The trigger's execution has the event's input; the first look finds nothing yet.
    sfn.executions.get(sfn.executionArn(name))!.revealed = 0;
    (sfn.executions.get(sfn.executionArn(name)) as { input: string }).input = '{"trigger":true}';
    sfn.hideFromNextDescribe(name);
    const raced = await runCli(['run', `s3://${BUCKET}/datasets/llava-race/dataset.json`, '--on', 'aws', '--outputs', outputs, '--json', '--poll-ms', '100']);
    expect(raced.stderr).toBe('');
    expect(raced.code).toBe(0);
    expect(jsonEvents(raced.stdout).find((e) => e.event === 'execution')).toMatchObject({ action: 'attached', name });
    // It did try to start it (and was refused): one execution, followed to its end.
    expect(sfn.mock.commandCalls(StartExecutionCommand)).toHaveLength(2);
    expect(sfn.executions.size).toBe(1);
    expect(jsonEvents(raced.stdout).at(-1)).toMatchObject({ event: 'ended', summary: { outcome: 'complete' } });
  });

  it('a dataset.json that fails validation: the execution fails at Prepare and the zod path is printed (exit 2)', async () => {
    const key = 'datasets/bad/dataset.json';
    await s3.store(`s3://${BUCKET}`).put(key, '{"name": "bad", "sources": [{"path": ""}]}');
    const cause = 'datasets/bad/dataset.json.sources.0.path: "" is empty; give a path relative to the dataset folder, e.g. "data/train.json"';
    const [field, message] = [cause.slice(0, cause.indexOf(': ')), cause.slice(cause.indexOf(': ') + 2)];
    scripts.set(key, {
      history: failedAtPrepareHistory(field, message),
      status: 'FAILED',
      error: 'InvalidInput',
      cause: JSON.stringify({ errorType: 'InvalidInput', errorMessage: cause, trace: [] }),
    });
    const { code, stdout, stderr } = await runCli(['run', `s3://${BUCKET}/datasets/bad`, '--on', 'aws', '--outputs', outputs, '--poll-ms', '100']);
    expect(code).toBe(2);
    expect(stdout).toContain(': failed\n  failed state : Prepare\n  error        : InvalidInput\n');
    expect(stdout).toContain(`  cause        : ${cause}`);
    expect(stderr).toMatch(/^Prepare failed: InvalidInput: datasets\/bad\/dataset\.json\.sources\.0\.path/m);
    expect(stderr).toMatch(
      /^megashard: InvalidInput: Prepare failed: datasets\/bad\/dataset\.json\.sources\.0\.path: "" is empty; .* \(execution bad-[0-9a-f]{32}\)$/m,
    );
  });

  it('two uploads of identical content: the second execution ends as a no-op naming the one writing the run', async () => {
    const copy = join(tmp, 'llava-copy');
    await cp(dataset, copy, { recursive: true });
    const first = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--detach', '--name', 'same-a']);
    expect(first.code).toBe(0);
    const holder = await nameOfUpload('datasets/same-a/dataset.json');
    scripts.set('datasets/same-b/dataset.json', {
      history: numbered([
        { type: 'ExecutionStarted' } as never,
        ...state('Task', 'Prepare', taskSucceeds(), prepareOutput(RUN_ID, { inProgressBy: holder })),
        ...state('Choice', 'AlreadyComplete'),
        ...state('Succeed', 'RunInProgress'),
        { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: JSON.stringify(prepareOutput(RUN_ID, { inProgressBy: holder })) } } as never,
      ]),
      status: 'SUCCEEDED',
      output: prepareOutput(RUN_ID, { inProgressBy: holder }),
    });
    const second = await runCli(['run', copy, '--on', 'aws', '--outputs', outputs, '--name', 'same-b', '--poll-ms', '100']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`: nothing to do: the run is being written by execution ${holder}\n  run folder   : s3://${BUCKET}/runs/${RUN_ID}`);
    expect(await nameOfUpload('datasets/same-b/dataset.json')).not.toBe(holder);
  });

  it('an already complete run: the audit verdict comes from its run.json in the bucket', async () => {
    const runId = 'feedfacefeedfacefeedface';
    const run = `runs/${runId}`;
    await s3.store(`s3://${BUCKET}/${run}`).put(
      'run.json',
      JSON.stringify({
        kind: 'megashard-run',
        formatVersion: 1,
        runId,
        steps: [],
        outputs: { audit: { reportKey: 'audit/report.json', htmlKey: 'audit/report.html', checks: 11, warnings: 0 } },
      }),
    );
    const output = prepareOutput(runId, { complete: true, runPrefix: run });
    scripts.set('datasets/done/dataset.json', {
      history: numbered([
        { type: 'ExecutionStarted' } as never,
        ...state('Task', 'Prepare', taskSucceeds(), output),
        ...state('Choice', 'AlreadyComplete'),
        ...state('Succeed', 'NothingToDo'),
        { type: 'ExecutionSucceeded' } as never,
      ]),
      status: 'SUCCEEDED',
      output,
    });
    const { code, stdout } = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--name', 'done', '--poll-ms', '100']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `: already complete, nothing to do\n  run folder   : s3://${BUCKET}/${run}\n  audit        : passed, 11 checks (0 warnings): s3://${BUCKET}/${run}/audit/report.html`,
    );
  });
});

describe('refused before anything is uploaded', () => {
  const nothingUploaded = async (name: string) => {
    expect(await s3.store(`s3://${BUCKET}/datasets/${name}`).list('')).toEqual([]);
    expect(sfn.mock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  };

  it('a local dataset.json that does not validate (exit 2, the field named)', async () => {
    const bad = join(tmp, 'bad-local');
    await cp(dataset, bad, { recursive: true });
    const config = JSON.parse(await readFile(join(bad, 'dataset.json'), 'utf8'));
    await writeFile(join(bad, 'dataset.json'), JSON.stringify({ ...config, sources: [] }));
    const { code, stderr } = await runCli(['run', bad, '--on', 'aws', '--outputs', outputs]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^megashard: InvalidInput: .*bad-local\/dataset\.json\.sources: sources must list at least one corpus file/m);
    await nothingUploaded('bad-local');
  });

  it('a state machine ARN of another region (exit 2, both regions named)', async () => {
    const other = MACHINE.replace('eu-west-1', 'us-west-2');
    const { code, stderr } = await runCli(['run', dataset, '--on', 'aws', '--state-machine', other, '--bucket', BUCKET, '--name', 'wrong-region']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--state-machine: .* is in region us-west-2, but the AWS configuration says eu-west-1; set AWS_REGION=us-west-2/);
    await nothingUploaded('wrong-region');
  });

  it('a state machine that does not exist (exit 2)', async () => {
    const { code, stderr } = await runCli(['run', dataset, '--on', 'aws', '--state-machine', `${MACHINE}-gone`, '--bucket', BUCKET, '--name', 'gone']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/stateMachineArn: .*Pipeline-gone: no such state machine/);
    await nothingUploaded('gone');
  });

  it('no credentials: which variables and which profile were looked at (exit 1)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_PROFILE', 'megashard-test-none');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(tmp, 'no-credentials'));
    vi.stubEnv('AWS_CONFIG_FILE', join(tmp, 'no-config'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    try {
      const { code, stderr } = await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--name', 'no-credentials']);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^megashard: MissingCredentials: no AWS credentials found; looked at: environment: AWS_ACCESS_KEY_ID \(unset\), AWS_SECRET_ACCESS_KEY \(unset\)/m,
      );
      expect(stderr).toContain('profile "megashard-test-none" (from AWS_PROFILE)');
      expect(stderr).toContain(join(tmp, 'no-credentials'));
    } finally {
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
      vi.stubEnv('AWS_PROFILE', '');
    }
    await nothingUploaded('no-credentials');
  });

  it('a dataset in another bucket, and no pipeline named at all', async () => {
    const elsewhere = await runCli(['run', 's3://other-bucket/datasets/x', '--on', 'aws', '--outputs', outputs]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/dataset: s3:\/\/other-bucket\/datasets\/x is outside the pipeline's bucket s3:\/\/megashard-data/);
    const unnamed = await runCli(['run', dataset, '--on', 'aws']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/--state-machine: no state machine given; pass --outputs FILE/);
  });
});

describe('runs and status', () => {
  it('lists recent executions with their run ids, and shows one with its maps', async () => {
    expect((await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--name', 'listed', '--poll-ms', '100'])).code).toBe(0);
    const name = await nameOfUpload('datasets/listed/dataset.json');
    const runs = await runCli(['runs', '--on', 'aws', '--outputs', outputs]);
    expect(runs.code).toBe(0);
    const [header, row] = runs.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME +STATUS +RUN +STARTED +DURATION$/);
    expect(row).toMatch(new RegExp(`^${name} +SUCCEEDED +${RUN_ID} +2026-01-05T10:01:00\\.000Z +95 s$`));
    const json = await runCli(['runs', '--on', 'aws', '--outputs', outputs, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name, status: 'SUCCEEDED', runId: RUN_ID, durationMs: 95_000 });

    const status = await runCli(['status', name, '--outputs', outputs]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`megashard execution ${name}: complete\n  run folder   : s3://${BUCKET}/runs/${RUN_ID}`);
    expect(status.stdout).toContain('  map TokenizeChunks: SUCCEEDED, 40/40 items done, 0 failed, 0 running, 0 pending');
    // By ARN, with no pipeline named: the bucket is then unknown, so locations are bucket keys.
    const byArn = await runCli(['status', sfn.executionArn(name), '--json']);
    expect(byArn.code).toBe(0);
    expect(JSON.parse(byArn.stdout)).toMatchObject({
      summary: { name, runFolder: `runs/${RUN_ID}` },
      maps: [{ state: 'TokenizeChunks', status: 'SUCCEEDED' }],
    });
  });

  it('status of a running execution names its current state; of an unknown one says how to list them (exit 2)', async () => {
    expect((await runCli(['run', dataset, '--on', 'aws', '--outputs', outputs, '--name', 'running', '--detach'])).code).toBe(0);
    const name = await nameOfUpload('datasets/running/dataset.json');
    const status = await runCli(['status', name, '--outputs', outputs]);
    // The first poll has seen Prepare start, not end: no run id yet.
    expect(status.stdout).toMatch(/: running\n {2}current state: Prepare\n {2}follow it {4}: megashard status running-/);
    const unknown = await runCli(['status', 'no-such-execution', '--outputs', outputs]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/execution: .*:execution:Pipeline:no-such-execution does not exist; list recent executions with `megashard runs --on aws`/);
  });
});
