/** The long-lived worker queue: tasks handed over one at a time, each result to its caller, errors by name. */
import { describe, expect, it } from 'vitest';
import { RemoteTaskError } from '../../lib/core/errors.js';
import { WorkerQueue } from '../../lib/local/worker-queue.js';

const entry = new URL('../helpers/workers/square-worker.ts', import.meta.url);

describe('WorkerQueue', () => {
  it('returns each task its own result whatever order the workers finish in, and carries errors by name', async () => {
    const queue = new WorkerQueue<number, number>({ entry, workerData: { offset: 1 }, workers: 2 });
    try {
      const tasks = [0, 1, 2, 3, 15, 16, 17, 18, 19, 4];
      expect(await Promise.all(tasks.map((n) => queue.run(n)))).toEqual(tasks.map((n) => n * n + 1));
      const failure = await queue.run(-2).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RemoteTaskError);
      expect(failure).toMatchObject({ name: 'InvalidInput', message: 'negative task -2' });
      // The worker that reported the error keeps serving.
      expect(await queue.run(5)).toBe(26);
    } finally {
      await queue.close();
    }
    await expect(queue.run(1)).rejects.toThrow('closed');
  });
});
