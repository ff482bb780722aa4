import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { RemoteTaskError } from '../core/errors.js';

/** A message a pool worker sends back: a result or an error (name and message kept for retries). */
export type WorkerReply<R> =
  | { readonly ok: true; readonly result: R }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly transient: boolean };

/** Options of {@link runInWorkers}. */
export interface WorkerPoolOptions {
  /** Worker entry module (compiled .js, or .ts when running under tsx/vitest). */
  readonly entry: URL;
  /** Data every worker receives once at start (e.g. the dataset config), via workerData. */
  readonly workerData?: unknown;
  /** Workers to start; default: every core. */
  readonly workers?: number;
  /** Called after each task finishes (progress). */
  readonly onDone?: (index: number) => void;
}

/**
 * Run `tasks` on a pool of worker threads and return their results in task order, whatever
 * order they finish in — so outputs never depend on the worker count. The first failing task
 * stops the pool and rejects with a RemoteTaskError carrying the worker's error name.
 */
export async function runInWorkers<T, R>(tasks: readonly T[], options: WorkerPoolOptions): Promise<R[]> {
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const results = new Array<R>(tasks.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const worker = startWorker(options);
        workers.push(worker);
        while (next < tasks.length) {
          const index = next++;
          results[index] = await ask<R>(worker, tasks[index]);
          options.onDone?.(index);
        }
      }),
    );
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Start one pool worker on `options.entry` (a .ts entry gets tsx's loader first). */
export function startWorker(options: Pick<WorkerPoolOptions, 'entry' | 'workerData'>): Worker {
  if (!options.entry.pathname.endsWith('.ts')) return new Worker(options.entry, { workerData: options.workerData });
  // A TypeScript entry (tests, development) needs tsx's loader registered inside the worker first.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(options.entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: options.workerData });
}

function ask<R>(worker: Worker, task: unknown): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (reply: WorkerReply<R>): void => {
      cleanup();
      if (reply.ok) resolve(reply.result);
      else reject(new RemoteTaskError(reply.name, reply.message, reply.transient));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(task);
  });
}
