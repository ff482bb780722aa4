import type { Worker } from 'node:worker_threads';
import { RemoteTaskError } from '../core/errors.js';
import { startWorker, type WorkerReply } from './worker-pool.js';

/** Options of {@link WorkerQueue}. */
export interface WorkerQueueOptions {
  /** Worker entry module (serveWorkerTasks inside; .ts under tsx/vitest, .js when built). */
  readonly entry: URL;
  /** Data every worker receives once at start, via workerData. */
  readonly workerData?: unknown;
  /** Most workers alive at once; they start on demand. */
  readonly workers: number;
}

interface Waiting {
  readonly task: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A long-lived pool of worker threads that takes tasks one at a time as they come (the state
 * machine hands over one Map child after another), unlike `runInWorkers`, which needs the whole
 * list up front. Each worker runs one task at a time; a worker that dies is replaced. Results are
 * returned to each caller, so their order never depends on which worker ran what.
 */
export class WorkerQueue<T, R> {
  private readonly idle: Worker[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly all = new Set<Worker>();
  private closed = false;

  constructor(private readonly options: WorkerQueueOptions) {}

  /** Run one task on the next free worker. */
  run(task: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the worker queue is closed'));
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ task, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Stop every worker (tasks still waiting are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('the worker queue was closed'));
    await Promise.all([...this.all].map((worker) => worker.terminate()));
    this.all.clear();
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const worker = this.idle.pop() ?? (this.all.size < this.options.workers ? this.spawn() : undefined);
      if (worker === undefined) return;
      this.send(worker, this.waiting.shift()!);
    }
  }

  private spawn(): Worker {
    const worker = startWorker({ entry: this.options.entry, workerData: this.options.workerData });
    this.all.add(worker);
    // An idle worker that dies must not take the process with it (an unlistened 'error' throws).
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }

  private send(worker: Worker, waiting: Waiting): void {
    const settle = (error: unknown, reply?: WorkerReply<R>): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error !== undefined) {
        // A crashed worker is gone for good; the next task gets a fresh one.
        this.all.delete(worker);
        void worker.terminate();
        waiting.reject(error);
      } else if (reply!.ok) {
        this.idle.push(worker);
        waiting.resolve(reply!.result);
      } else {
        this.idle.push(worker);
        waiting.reject(new RemoteTaskError(reply!.name, reply!.message, reply!.transient));
      }
      if (!this.closed) this.dispatch();
    };
    const onMessage = (reply: WorkerReply<R>) => settle(undefined, reply);
    const onError = (error: Error) => settle(error);
    const onExit = (code: number) => settle(new Error(`a worker thread exited (code ${code}) while running a task`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(waiting.task);
  }
}
