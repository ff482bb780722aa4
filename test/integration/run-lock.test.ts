/**
 * The run lock in the pipeline's Prepare, on the local runner: two executions on identical content
 * → the second ends as a no-op naming the first; a lock whose holder is gone (a killed process, a
 * failed AWS execution) is taken over; one whose AWS holder still runs is respected.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunInProgressError } from '../../lib/core/errors.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let first: string;
let second: string;
let runId: string;

beforeAll(async () => {
  tmp = await makeTempDir('run-lock');
  first = join(tmp, 'first');
  second = join(tmp, 'second');
  expect((await runCli(['synth', 'llava-sft', '--samples', '30', '--seed', '5', '--out', first, '--no-images'])).code).toBe(0);
  await cp(first, second, { recursive: true });
}, 120_000);
afterAll(() => removeTempDir(tmp));

/** A pid that no process has any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const lockPath = (out: string) => join(out, 'runs', `${runId}.lock.json`);

describe('the run lock', () => {
  it('two executions on identical content: the second is a no-op naming the first, which completes', async () => {
    const out = join(tmp, 'out-concurrent');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let paused!: () => void;
    const atTokenize = new Promise<void>((resolve) => (paused = resolve));
    const a = runPipeline({
      datasetLocation: first,
      outLocation: out,
      workers: 1,
      executionName: 'writer-a',
      beforeTask: async (task) => {
        if (task !== 'Tokenize') return;
        paused();
        await held;
      },
    });
    await atTokenize;
    // B through the CLI, while A holds the lock: exit 0, nothing written, A named.
    const b = await runCli(['run', second, '--out', out, '--workers', '1']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(
      /^megashard run [0-9a-f]{24}: run [0-9a-f]{24} is being written by execution writer-a; nothing to do \(if that execution is gone, delete .*\.lock\.json and run again\)$/m,
    );
    runId = /^megashard run ([0-9a-f]{24})/.exec(b.stdout)![1]!;
    await expect(runPipeline({ datasetLocation: second, outLocation: out, workers: 1, executionName: 'writer-b' })).rejects.toMatchObject({
      name: 'RunInProgress',
      execution: 'writer-a',
      runId,
    });
    release();
    const done = await a;
    expect(done.runId).toBe(runId);
    expect(JSON.parse(await readFile(lockPath(out), 'utf8'))).toMatchObject({ execution: 'writer-a', host: hostname(), pid: process.pid });
    // Once complete, another execution on the same content finds it complete (before any lock).
    const after = await runPipeline({ datasetLocation: second, outLocation: out, workers: 1, executionName: 'writer-c' });
    expect(after).toMatchObject({ runId, ran: false });
  }, 120_000);

  it('takes over the lock of a local execution whose process is gone (killed), and completes', async () => {
    const out = join(tmp, 'out-stale');
    const pid = await deadPid();
    // runId is known from the first case: identical content, identical run id.
    await mkdir(join(out, 'runs'), { recursive: true });
    await writeFile(
      lockPath(out),
      JSON.stringify({
        kind: 'megashard-run-lock',
        formatVersion: 1,
        runId,
        execution: 'killed',
        executionId: 'arn:aws:states:us-east-1:000000000000:execution:MegashardPipeline:killed',
        host: hostname(),
        pid,
      }),
    );
    const result = await runPipeline({ datasetLocation: first, outLocation: out, workers: 1, executionName: 'survivor' });
    expect(result).toMatchObject({ runId, ran: true });
    expect(JSON.parse(await readFile(lockPath(out), 'utf8'))).toMatchObject({ execution: 'survivor' });
  }, 120_000);

  it('asks Step Functions about an AWS holder: RUNNING is respected, FAILED is taken over', async () => {
    const sfn = mockClient(SFNClient);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    try {
      const out = join(tmp, 'out-aws-holder');
      const holderArn = 'arn:aws:states:eu-west-1:123456789012:execution:Pipeline:uploaded-0123';
      await mkdir(join(out, 'runs'), { recursive: true });
      await writeFile(
        lockPath(out),
        JSON.stringify({ kind: 'megashard-run-lock', formatVersion: 1, runId, execution: 'uploaded-0123', executionId: holderArn }),
      );
      const describe = {
        executionArn: holderArn,
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline',
        name: 'uploaded-0123',
        startDate: new Date(0),
      };
      sfn.on(DescribeExecutionCommand).resolves({ ...describe, status: 'RUNNING' });
      const error = await runPipeline({ datasetLocation: first, outLocation: out, workers: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunInProgressError);
      expect((error as Error).message).toContain('being written by execution uploaded-0123');
      expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: holderArn });
      sfn.on(DescribeExecutionCommand).resolves({ ...describe, status: 'FAILED', stopDate: new Date(1) });
      expect(await runPipeline({ datasetLocation: first, outLocation: out, workers: 1, executionName: 'retaken' })).toMatchObject({ runId, ran: true });
    } finally {
      sfn.restore();
      vi.unstubAllEnvs();
    }
  }, 120_000);
});
