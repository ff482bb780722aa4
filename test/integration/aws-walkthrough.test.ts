/**
 * docs/aws.md's walkthrough, every command in it: `cdk deploy` stood in for by synthesizing the
 * stack and writing the outputs file it would write; every `megashard` command run as written
 * against a local S3 server (s3rver) holding a real run, and a mocked Step Functions whose
 * execution reports that run. The test fails if the walkthrough gains a command it does not run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PipelineStack } from '../../cdk/pipeline-stack.js';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { STACK_OUTPUT_IDS } from '../../lib/run/remote/stack-outputs.js';
import { FakeStepFunctions } from '../helpers/fake-step-functions.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { numbered, state, taskSucceeds } from '../helpers/sfn-history.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'megashard-data';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:PipelineStateMachine2E01A3A5-Kq1z';

let tmp: string;
let cwd: string;
let s3: S3rverHandle;
let sfn: FakeStepFunctions;
let runId: string;
let executionOutput: Record<string, unknown>;

/** The walkthrough's commands, in order, as written in docs/aws.md. */
async function walkthroughCommands(): Promise<string[]> {
  const doc = await readFile(new URL('../../docs/aws.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Walkthrough'), doc.indexOf('\n## ', doc.indexOf('## Walkthrough') + 1));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((block) => block.split('\n').filter((line) => line.startsWith('npx ')));
}

/** An execution of the pipeline that ran to CompleteRun on the run written in beforeAll. */
function completedExecution(mapRunArn: string) {
  const runPrefix = `runs/${runId}`;
  return {
    history: numbered([
      { type: 'ExecutionStarted' } as never,
      ...state('Task', 'Prepare', taskSucceeds(), { datasetPrefix: 'datasets/llava', runPrefix, runId, complete: false, chunks: 1 }),
      ...state('Choice', 'AlreadyComplete'),
      ...state('Map', 'TokenizeChunks', [
        { type: 'MapStateStarted' },
        { type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn } },
        { type: 'MapRunSucceeded' },
      ] as never),
      ...state('Task', 'MergeIndex', taskSucceeds()),
      ...state('Task', 'CompleteRun', taskSucceeds(), executionOutput),
      ...state('Succeed', 'Done'),
      { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: JSON.stringify(executionOutput) } } as never,
    ]),
    status: 'SUCCEEDED' as const,
    output: executionOutput,
    mapItems: 1,
  };
}

beforeAll(async () => {
  tmp = await makeTempDir('aws-walkthrough');
  cwd = process.cwd();
  s3 = await startS3rver([BUCKET]);
  setDefaultS3Client(s3.client);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  expect((await runCli(['synth', 'llava-sft', '--samples', '40', '--seed', '7', '--out', join(tmp, 'llava'), '--no-images'])).code).toBe(0);
  // The run the deployed pipeline would write, written into the bucket by the same state machine run locally.
  const run = await runPipeline({ datasetLocation: join(tmp, 'llava'), outLocation: `s3://${BUCKET}`, workers: 1 });
  runId = run.runId;
  const atBucket = (report: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(report).map(([field, value]) => [field, field.endsWith('Key') && typeof value === 'string' ? `runs/${runId}/${value}` : value]),
    );
  executionOutput = {
    datasetPrefix: 'datasets/llava',
    runPrefix: `runs/${runId}`,
    runId,
    complete: true,
    runKey: `runs/${runId}/run.json`,
    steps: run.record.steps.length,
    outputs: Object.fromEntries(Object.entries(run.record.outputs).map(([step, report]) => [step, atBucket(report)])),
  };
  sfn = new FakeStepFunctions(MACHINE, () => completedExecution(`${MACHINE.replace(':stateMachine:', ':mapRun:')}/TokenizeChunks:1f2e`), 12);
  process.chdir(tmp);
}, 300_000);
afterAll(async () => {
  process.chdir(cwd);
  sfn?.restore();
  vi.unstubAllEnvs();
  setDefaultS3Client(undefined);
  await s3?.stop();
  await removeTempDir(tmp);
});

describe('docs/aws.md walkthrough', () => {
  let execution = '';

  /** Run one documented command as written, the placeholders filled in. */
  async function documented(prefix: string) {
    const command = (await walkthroughCommands()).find((line) => line.startsWith(prefix));
    if (command === undefined) throw new Error(`docs/aws.md has no command starting "${prefix}"`);
    const args = command.replace('<bucket>', BUCKET).replaceAll('<run id>', runId).replace('<execution name>', execution).split(/\s+/).slice(2);
    return runCli(args);
  }

  it('covers every command of the walkthrough, in this order', async () => {
    expect((await walkthroughCommands()).map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
      'npx cdk deploy',
      'npx megashard run',
      'npx megashard run',
      'npx megashard runs',
      'npx megashard status',
      'npx megashard pull',
      'npx megashard audit',
    ]);
  });

  it("1. npx cdk deploy --outputs-file cdk-outputs.json: the stack's outputs, as the file holds them after a deploy", async () => {
    const [deploy] = await walkthroughCommands();
    expect(deploy).toBe('npx cdk deploy --outputs-file cdk-outputs.json');
    const template = Template.fromStack(new PipelineStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'MegashardPipeline')).toJSON();
    const outputs = template.Outputs as Record<string, { Value: unknown }>;
    // What CloudFormation resolves the references to once deployed: here, the s3rver bucket and a mocked state machine.
    const resolved = (value: unknown, id: string) => (typeof value === 'string' ? value : id === STACK_OUTPUT_IDS.bucket ? BUCKET : MACHINE);
    const file = { MegashardPipeline: Object.fromEntries(Object.entries(outputs).map(([id, output]) => [id, resolved(output.Value, id)])) };
    expect(Object.keys(file.MegashardPipeline).sort()).toEqual(Object.values(STACK_OUTPUT_IDS).sort());
    await writeFile(join(tmp, 'cdk-outputs.json'), JSON.stringify(file, null, 2));
  });

  it("2. npx megashard run ./llava --on aws: uploads, starts the upload's execution, follows it to the run folder and the audit verdict", async () => {
    const { code, stdout, stderr } = await documented('npx megashard run ./llava');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^upload: \d+\/\d+ files$/m);
    expect(stderr).toMatch(/^uploaded \d+ files; s3:\/\/megashard-data\/datasets\/llava\/dataset\.json written last\nstarted execution llava-[0-9a-f]{32}$/m);
    expect(stderr).toMatch(/^Prepare …\nPrepare done/m);
    // A Distributed Map is a Map state on AWS (a Task locally): it gets the same lines and item counts.
    expect(stderr).toMatch(/^TokenizeChunks …\nTokenizeChunks: 1\/1 items\nTokenizeChunks done \(\d+\.\d s\)$/m);
    execution = /^megashard execution (llava-[0-9a-f]{32}): complete$/m.exec(stdout)?.[1] ?? '';
    expect(execution).not.toBe('');
    expect(stdout).toContain(`  run folder   : s3://${BUCKET}/runs/${runId}`);
    expect(stdout).toMatch(new RegExp(`^  audit        : passed, \\d+ checks \\(\\d+ warnings\\): s3://${BUCKET}/runs/${runId}/audit/report\\.html$`, 'm'));
    expect(await s3.store(`s3://${BUCKET}/datasets/llava`).exists('dataset.json')).toBe(true);
  });

  it('2b. npx megashard run s3://<bucket>/datasets/llava --on aws --json: the same execution, as JSON events', async () => {
    const { code, stdout } = await documented('npx megashard run s3://');
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; action?: string; name?: string; summary?: { runId: string } });
    expect(events.find((e) => e.event === 'execution')).toMatchObject({ action: 'attached', name: execution });
    expect(events.at(-1)).toMatchObject({ event: 'ended', summary: { runId, outcome: 'complete' } });
  });

  it('3. npx megashard runs --on aws and npx megashard status <execution name>', async () => {
    const runs = await documented('npx megashard runs');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`^${execution} +SUCCEEDED +${runId} `, 'm'));
    const status = await documented('npx megashard status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('  map TokenizeChunks: SUCCEEDED, 1/1 items done, 0 failed, 0 running, 0 pending');
  });

  it("4. npx megashard pull …: one rank's shard from the bucket, verified against its manifest", async () => {
    const { code, stdout } = await documented('npx megashard pull');
    expect(code).toBe(0);
    expect(stdout).toContain('shard-e0-r0.arrow');
    expect((await readFile(join(tmp, 'shard-e0-r0.arrow'))).subarray(0, 6).toString()).toBe('ARROW1');
  });

  it('5. npx megashard audit s3://<bucket>/runs/<run id>: the run audited from the bucket, passed', async () => {
    const { code, stdout } = await documented('npx megashard audit');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^megashard audit: PASSED/m);
  });
});
