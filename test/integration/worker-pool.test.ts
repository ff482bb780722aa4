import { describe, expect, it } from 'vitest';
import { runInWorkers } from '../../lib/local/worker-pool.js';

const entry = new URL('../helpers/workers/square-worker.ts', import.meta.url);

describe('runInWorkers', () => {
  it('returns results in task order whatever the worker count', async () => {
    const tasks = Array.from({ length: 25 }, (_, i) => i);
    const expected = tasks.map((t) => t * t + 1);
    for (const workers of [1, 2, 3]) {
      const done: number[] = [];
      const results = await runInWorkers<number, number>(tasks, { entry, workerData: { offset: 1 }, workers, onDone: (i) => done.push(i) });
      expect(results).toEqual(expected);
      expect(done.sort((a, b) => a - b)).toEqual(tasks);
    }
  });

  it('rejects with the worker error name and message', async () => {
    const run = runInWorkers<number, number>([1, -2, 3], { entry, workerData: { offset: 0 }, workers: 2 });
    await expect(run).rejects.toMatchObject({ name: 'InvalidInput', message: 'negative task -2' });
  });
});
