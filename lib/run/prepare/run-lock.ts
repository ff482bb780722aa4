/**
 * The run lock: two executions on identical content compute the same run id, and only one of them
 * may write `runs/<run id>/`. The lock is one small object beside the run's folder
 * (`runs/<run id>.lock.json`, outside it so a run's folder holds the same bytes whoever wrote it),
 * created with a conditional write (S3 If-None-Match, exclusive create on a folder): of two
 * executions exactly one creates it; the other ends as a no-op naming the holder.
 */
import { z } from 'zod';
import { ObjectNotFoundError } from '../../core/errors.js';
import { putIfAbsentIn, type ObjectStore } from '../../io/object-store.js';

/** The execution that holds (or asks for) a run's lock. */
export const runLockSchema = z
  .object({
    kind: z.literal('megashard-run-lock'),
    formatVersion: z.literal(1),
    runId: z.string().min(1),
    /** Execution name (what people read) and id (its ARN: what is unique). */
    execution: z.string().min(1),
    executionId: z.string().min(1),
    /** A local execution's machine and process, so a later run can tell whether it still runs. */
    host: z.string().min(1).optional(),
    pid: z.number().int().min(1).optional(),
  })
  .strict();

/** A run lock's content. */
export type RunLock = z.infer<typeof runLockSchema>;

/** Whether the execution that holds a lock is still running (it may have failed, or been killed). */
export type ExecutionLiveness = (holder: RunLock) => Promise<boolean>;

/** The lock's key under `runs/`. */
export function runLockKey(runId: string): string {
  return `${runId}.lock.json`;
}

/** Acquired, or held by another execution that still runs. */
export type LockOutcome = { readonly acquired: true } | { readonly acquired: false; readonly holder: RunLock };

/**
 * Take the run lock in `runs` (the store of the bucket's `runs/`). The holder's own retry (same
 * execution id: a retried Prepare, a redrive) gets it again. A lock whose holder no longer runs is
 * taken over with a plain write: two executions taking over at once would both run, which costs
 * work but not correctness, since every step's outputs depend only on the run's inputs. A lock
 * that cannot be read is treated as held: a dead holder is only ever assumed on evidence.
 */
export async function acquireRunLock(runs: ObjectStore, lock: RunLock, isRunning: ExecutionLiveness): Promise<LockOutcome> {
  const key = runLockKey(lock.runId);
  const body = `${JSON.stringify(lock, null, 2)}\n`;
  // Twice at most: a lock deleted between our create and our read (someone cleared it) is retried once.
  for (let attempt = 0; ; attempt += 1) {
    if (await putIfAbsentIn(runs, key, body)) return { acquired: true };
    const holder = await readRunLock(runs, lock.runId);
    if (holder === null && attempt === 0) continue;
    if (holder === undefined || holder === null) {
      return { acquired: false, holder: { ...lock, execution: `unknown (unreadable ${runs.location}/${key})`, executionId: 'unknown' } };
    }
    if (holder.executionId === lock.executionId) return { acquired: true };
    if (await isRunning(holder)) return { acquired: false, holder };
    await runs.put(key, body);
    return { acquired: true };
  }
}

/** The lock of a run: undefined when it is not a lock, null when there is none. */
export async function readRunLock(runs: ObjectStore, runId: string): Promise<RunLock | undefined | null> {
  let text: string;
  try {
    text = new TextDecoder().decode(await runs.get(runLockKey(runId)));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
  try {
    const parsed = runLockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
