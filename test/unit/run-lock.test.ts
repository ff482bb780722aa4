/** The run lock: of two executions on identical inputs one writes the run; a dead holder's lock is taken over. */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { createExecutionLiveness, registerLocalExecution, runLockFor, type LivenessProbes } from '../../lib/run/prepare/execution-liveness.js';
import { acquireRunLock, readRunLock, runLockKey, type RunLock } from '../../lib/run/prepare/run-lock.js';

const RUN = '0123456789abcdef01234567';
const lockOf = (name: string): RunLock => ({
  kind: 'megashard-run-lock',
  formatVersion: 1,
  runId: RUN,
  execution: name,
  executionId: `arn:aws:states:eu-west-1:123456789012:execution:M:${name}`,
});
const running = async () => true;
const gone = async () => false;

describe('acquireRunLock', () => {
  it('gives the lock to the first execution; the second, while the first runs, gets the holder', async () => {
    const runs = new MemoryObjectStore('memory://runs/');
    expect(await acquireRunLock(runs, lockOf('a'), running)).toEqual({ acquired: true });
    expect(await acquireRunLock(runs, lockOf('b'), running)).toEqual({ acquired: false, holder: lockOf('a') });
    expect(await readRunLock(runs, RUN)).toEqual(lockOf('a'));
    expect(await runs.list('')).toEqual([runLockKey(RUN)]);
    expect(runLockKey(RUN)).toBe(`${RUN}.lock.json`);
  });

  it('gives it again to its holder (a retried Prepare, a redrive): same execution id', async () => {
    const runs = new MemoryObjectStore();
    await acquireRunLock(runs, lockOf('a'), running);
    expect(await acquireRunLock(runs, lockOf('a'), gone)).toEqual({ acquired: true });
  });

  it('takes over the lock of a holder that no longer runs (failed, killed), and records the new holder', async () => {
    const runs = new MemoryObjectStore();
    await acquireRunLock(runs, lockOf('a'), running);
    const asked: RunLock[] = [];
    expect(await acquireRunLock(runs, lockOf('b'), async (holder) => (asked.push(holder), false))).toEqual({ acquired: true });
    expect(asked).toEqual([lockOf('a')]);
    expect(await readRunLock(runs, RUN)).toEqual(lockOf('b'));
  });

  it('treats a lock it cannot read as held: a dead holder is only assumed on evidence', async () => {
    const runs = new MemoryObjectStore('memory://runs/');
    await runs.put(runLockKey(RUN), 'not json');
    const outcome = await acquireRunLock(runs, lockOf('b'), gone);
    expect(outcome.acquired).toBe(false);
    expect(!outcome.acquired && outcome.holder.execution).toMatch(/unknown \(unreadable memory:\/\/runs\/.*\.lock\.json\)/);
  });

  it('has one winner among many executions asking at once', async () => {
    const runs = new MemoryObjectStore();
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => acquireRunLock(runs, lockOf(`e${i}`), running)));
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
  });
});

describe('execution liveness', () => {
  const probes = (over: Partial<LivenessProbes> = {}): LivenessProbes => ({
    host: 'here',
    pid: 100,
    processAlive: (pid) => pid === 200,
    executionStatus: async () => 'RUNNING',
    ...over,
  });
  const local = (host: string, pid: number): RunLock => ({
    ...lockOf('local'),
    executionId: 'arn:aws:states:us-east-1:000000000000:execution:MegashardPipeline:local',
    host,
    pid,
  });

  it('asks Step Functions about an AWS execution: RUNNING holds, anything else (or gone) does not', async () => {
    expect(await createExecutionLiveness(probes())(lockOf('a'))).toBe(true);
    expect(await createExecutionLiveness(probes({ executionStatus: async () => 'FAILED' }))(lockOf('a'))).toBe(false);
    expect(await createExecutionLiveness(probes({ executionStatus: async () => undefined }))(lockOf('a'))).toBe(false);
  });

  it('assumes an AWS holder runs when Step Functions cannot be asked (no permission, no network)', async () => {
    const denied = probes({ executionStatus: () => Promise.reject(new Error('AccessDenied')) });
    expect(await createExecutionLiveness(denied)(lockOf('a'))).toBe(true);
  });

  it('checks a local holder by its process: alive, dead, on another machine (unknown: held)', async () => {
    const isRunning = createExecutionLiveness(probes());
    expect(await isRunning(local('here', 200))).toBe(true);
    expect(await isRunning(local('here', 300))).toBe(false);
    expect(await isRunning(local('elsewhere', 300))).toBe(true);
  });

  it('in this process, a local holder runs while the local runner has it registered', async () => {
    const isRunning = createExecutionLiveness(probes({ host: hostname(), pid: process.pid }));
    const id = 'arn:aws:states:us-east-1:000000000000:execution:MegashardPipeline:registered';
    const unregister = registerLocalExecution(id);
    const lock = runLockFor(RUN, { name: 'registered', id });
    expect(lock).toMatchObject({ host: hostname(), pid: process.pid });
    expect(await isRunning(lock)).toBe(true);
    unregister();
    expect(await isRunning(lock)).toBe(false);
    // An execution not registered here (a Lambda's) names no machine or process.
    expect(runLockFor(RUN, { name: 'x', id: 'arn:aws:states:eu-west-1:1:execution:M:x' })).not.toHaveProperty('pid');
  });
});
