/**
 * `megashard watch`, the upload trigger's local twin: new or changed dataset.json files under a
 * folder or an s3:// prefix (s3rver) are each run once, named by the trigger's rule; a write seen
 * again runs nothing, a bad dataset is recorded and the watch goes on, a transient failure is tried
 * again, and the AbortSignal stops it cleanly. The last cases run the real local pipeline.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, RunInProgressError, StorageError } from '../../lib/core/errors.js';
import { executionNameOf } from '../../lib/core/pipeline/execution-name.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import type { FoundDataset } from '../../lib/run/watch/scan-datasets.js';
import { watchDatasets, type RunWatchedDataset, type WatchEvent } from '../../lib/run/watch/watch-datasets.js';
import { WatchRecords } from '../../lib/run/watch/watch-records.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let s3: S3rverHandle;

beforeAll(async () => {
  tmp = await makeTempDir('watch');
  s3 = await startS3rver(['watched-bucket']);
  setDefaultS3Client(s3.client);
});
afterAll(async () => {
  setDefaultS3Client(undefined);
  await s3?.stop();
  await removeTempDir(tmp);
});

/** A dataset folder holding only a dataset.json with `text` (the stand-in runner reads nothing else). */
async function datasetFolder(root: string, name: string, text: string): Promise<void> {
  await mkdir(join(root, name), { recursive: true });
  await writeFile(join(root, name, 'dataset.json'), text);
}

/** A runner that records what it ran and answers by dataset folder name. */
function standIn(outcomes: Record<string, Array<Error | 'ran' | 'complete'>> = {}) {
  const ran: FoundDataset[] = [];
  const runDataset: RunWatchedDataset = async (dataset) => {
    ran.push(dataset);
    const folder = dataset.key.split('/')[0] ?? '';
    const next = outcomes[folder]?.shift() ?? 'ran';
    if (next instanceof Error) throw next;
    return { runId: `run-${folder}`, runLocation: `/out/runs/run-${folder}`, ran: next === 'ran' };
  };
  return { ran, runDataset };
}

async function watchOnce(location: string, out: string, runDataset: RunWatchedDataset): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  await watchDatasets({ location, outLocation: out, runDataset, pollMs: 10, signal: new AbortController().signal, once: true, onEvent: (e) => events.push(e) });
  return events;
}

const ended = (events: WatchEvent[]) => events.filter((e): e is Extract<WatchEvent, { kind: 'ended' }> => e.kind === 'ended');

describe('watch (stand-in runner)', () => {
  it("runs each dataset once, named by the trigger's rule, records it, and after a restart runs nothing again", async () => {
    const root = join(tmp, 'folders');
    const out = join(tmp, 'folders-out');
    await datasetFolder(root, 'a', '{"name":"a"}');
    await datasetFolder(root, 'b', '{"name":"b"}');
    await mkdir(join(root, 'not-a-dataset', 'images'), { recursive: true });
    const runner = standIn();
    const events = await watchOnce(root, out, runner.runDataset);
    expect(runner.ran.map((d) => d.key)).toEqual(['a/dataset.json', 'b/dataset.json']);
    const expected = executionNameOf({ bucket: new FsObjectStore(root).location, key: 'a/dataset.json', etag: sha256Hex('{"name":"a"}') });
    expect(runner.ran[0]!.executionName).toBe(expected);
    expect(runner.ran[0]!.location).toBe(join(new FsObjectStore(root).location, 'a'));
    expect(ended(events).map((e) => e.outcome)).toEqual(['complete', 'complete']);
    const record = await new WatchRecords(new FsObjectStore(join(out, 'executions'))).read(expected);
    expect(record).toMatchObject({ execution: expected, outcome: 'complete', runId: 'run-a' });

    // A restarted watcher: both are recorded, nothing runs.
    const again = standIn();
    const restarted = await watchOnce(root, out, again.runDataset);
    expect(again.ran).toEqual([]);
    expect(restarted.filter((e) => e.kind === 'skipped')).toHaveLength(2);
  });

  it('runs a changed dataset.json as a new execution; the same bytes saved again are no change', async () => {
    const root = join(tmp, 'changes');
    const out = join(tmp, 'changes-out');
    await datasetFolder(root, 'a', '{"name":"a"}');
    const runner = standIn();
    await watchOnce(root, out, runner.runDataset);
    await writeFile(join(root, 'a', 'dataset.json'), '{"name":"a"}');
    await watchOnce(root, out, runner.runDataset);
    expect(runner.ran).toHaveLength(1);
    await writeFile(join(root, 'a', 'dataset.json'), '{"name":"a2"}');
    await watchOnce(root, out, runner.runDataset);
    expect(runner.ran).toHaveLength(2);
    expect(runner.ran[1]!.executionName).not.toBe(runner.ran[0]!.executionName);
  });

  it('survives a bad dataset: it is recorded as failed with its error, the others run, and it is not retried', async () => {
    const root = join(tmp, 'bad');
    const out = join(tmp, 'bad-out');
    for (const name of ['a', 'bad', 'c']) await datasetFolder(root, name, `{"name":"${name}"}`);
    const runner = standIn({ bad: [new InvalidInputError('bad/dataset.json.sources', 'sources must list at least one corpus file')] });
    const events = await watchOnce(root, out, runner.runDataset);
    expect(ended(events).map((e) => `${e.dataset.split('/').pop()} ${e.outcome}`)).toEqual(['a complete', 'bad failed', 'c complete']);
    expect(ended(events)[1]!.error).toEqual({ name: 'InvalidInput', message: 'bad/dataset.json.sources: sources must list at least one corpus file' });
    await watchOnce(root, out, runner.runDataset);
    expect(runner.ran.map((d) => d.key)).toEqual(['a/dataset.json', 'bad/dataset.json', 'c/dataset.json']);
  });

  it('tries a transient failure again on the next scan, and leaves a run held by another execution to it', async () => {
    const root = join(tmp, 'transient');
    const out = join(tmp, 'transient-out');
    await datasetFolder(root, 'flaky', '{"name":"flaky"}');
    await datasetFolder(root, 'held', '{"name":"held"}');
    const runner = standIn({
      flaky: [new StorageError('s3://b/k', 'SlowDown; try again', true)],
      held: [new RunInProgressError('r1', 'other-execution', '/out/runs/r1.lock.json')],
    });
    const first = await watchOnce(root, out, runner.runDataset);
    expect(ended(first).map((e) => e.outcome)).toEqual(['transient-failure', 'in-progress-elsewhere']);
    expect(ended(first)[1]!.error?.message).toContain('being written by execution other-execution');
    const second = await watchOnce(root, out, runner.runDataset);
    expect(ended(second).map((e) => `${e.dataset.split('/').pop()} ${e.outcome}`)).toEqual(['flaky complete', 'held complete']);
  });

  it('watches an s3:// prefix (one listing level, each dataset.json read once per scan): a write seen twice runs once', async () => {
    const store = s3.store('s3://watched-bucket/incoming');
    await store.put('x/images/1.jpg', 'jpeg');
    await store.put('x/dataset.json', '{"name":"x"}');
    await store.put('loose.txt', 'not a dataset');
    const runner = standIn();
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    await watchDatasets({
      location: 's3://watched-bucket/incoming',
      outLocation: join(tmp, 's3-out'),
      runDataset: runner.runDataset,
      pollMs: 5,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (events.filter((x) => x.kind === 'scanned').length === 3) controller.abort();
      },
    });
    expect(runner.ran).toHaveLength(1);
    expect(runner.ran[0]).toMatchObject({ location: 's3://watched-bucket/incoming/x', key: 'x/dataset.json' });
    expect(runner.ran[0]!.upload).toEqual({ bucket: 'watched-bucket', key: 'incoming/x/dataset.json', etag: sha256Hex('{"name":"x"}') });
    expect(events.at(-1)).toEqual({ kind: 'stopped' });
  });

  it('stops on the signal after the run under way, and at once when idle', async () => {
    const root = join(tmp, 'stop');
    for (const name of ['a', 'b']) await datasetFolder(root, name, `{"name":"${name}"}`);
    const controller = new AbortController();
    const ran: string[] = [];
    const runDataset: RunWatchedDataset = async (dataset) => {
      ran.push(dataset.key);
      controller.abort(); // SIGINT arrives while the first run is under way
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { runId: 'r', runLocation: 'l', ran: true };
    };
    await watchDatasets({ location: root, outLocation: join(tmp, 'stop-out'), runDataset, pollMs: 60_000, signal: controller.signal });
    expect(ran).toEqual(['a/dataset.json']);
    // Idle, waiting a minute for the next scan: the signal ends the wait.
    const idle = new AbortController();
    const started = Date.now();
    const watching = watchDatasets({ location: join(tmp, 'empty'), outLocation: join(tmp, 'stop-out'), runDataset, pollMs: 60_000, signal: idle.signal });
    setTimeout(() => idle.abort(), 50);
    await watching;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('watch (the local pipeline)', () => {
  it('two dataset folders of identical content: one run, the second execution finds it complete', async () => {
    const root = join(tmp, 'real');
    const out = join(tmp, 'real-out');
    expect((await runCli(['synth', 'llava-sft', '--samples', '30', '--seed', '1', '--out', join(root, 'first'), '--no-images'])).code).toBe(0);
    await cp(join(root, 'first'), join(root, 'second'), { recursive: true });
    const { code, stdout, stderr } = await runCli(['watch', root, '--out', out, '--workers', '1', '--once', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ends = events.filter((e) => e.event === 'ended');
    expect(ends.map((e) => e.outcome)).toEqual(['complete', 'already-complete']);
    expect(ends[0]!.runId).toBe(ends[1]!.runId);
    expect(events.filter((e) => e.event === 'started').map((e) => e.execution)).toEqual([
      executionNameOf({ bucket: root, key: 'first/dataset.json', etag: sha256Hex(await readFile(join(root, 'first', 'dataset.json'))) }),
      executionNameOf({ bucket: root, key: 'second/dataset.json', etag: sha256Hex(await readFile(join(root, 'second', 'dataset.json'))) }),
    ]);
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    // The run's lock names the execution that wrote it: the watcher's name for the first folder.
    const lock = JSON.parse(await readFile(join(out, 'runs', `${String(ends[0]!.runId)}.lock.json`), 'utf8')) as { execution: string };
    expect(lock.execution).toBe(events.find((e) => e.event === 'started')!.execution);
    // Run again: everything is recorded, nothing runs.
    const again = await runCli(['watch', root, '--out', out, '--once']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/first: already ran as first-[0-9a-f]{32} \(complete\)\n.*second: already ran as second-[0-9a-f]{32} \(already-complete\)/);
  }, 180_000);
});
