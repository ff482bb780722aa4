import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply } from './worker-pool.js';

/**
 * Serve tasks inside a pool worker: `setup` runs once with the pool's workerData (load the
 * tokenizer, open stores), then each message is handled in turn. Errors are sent back with
 * their name, so the caller can tell a transient failure from bad input.
 */
export function serveWorkerTasks<S, T, R>(setup: (data: unknown) => Promise<S>, handle: (state: S, task: T) => Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerTasks must run inside a worker thread');
  const ready = setup(workerData);
  port.on('message', async (task: T) => {
    let reply: WorkerReply<R>;
    try {
      reply = { ok: true, result: await handle(await ready, task) };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { ok: false, name: e.name, message: e.message, transient: (e as { transient?: boolean }).transient === true };
    }
    port.postMessage(reply);
  });
}
