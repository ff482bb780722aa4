/**
 * What the watcher has run, kept beside the runs (`<out>/executions/<execution name>.json`), so a
 * restarted watcher runs nothing twice. A record is written when a run ends; a watcher killed
 * mid-run leaves none, and its successor resumes that run.
 */
import { z } from 'zod';
import { ObjectNotFoundError } from '../../core/errors.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Where the records live under the watcher's --out. */
export const EXECUTIONS_PREFIX = 'executions';

/** How a watched run ended. */
export const watchOutcomeSchema = z.enum(['complete', 'already-complete', 'failed']);

/** One record: which dataset.json write ran, and how it ended. */
export const watchRecordSchema = z
  .object({
    kind: z.literal('megashard-watch-execution'),
    formatVersion: z.literal(1),
    execution: z.string().min(1),
    dataset: z.string().min(1),
    outcome: watchOutcomeSchema,
    runId: z.string().min(1).optional(),
    error: z.object({ name: z.string(), message: z.string() }).strict().optional(),
    endedAt: z.iso.datetime(),
  })
  .strict();

/** A watcher's record of one execution. */
export type WatchRecord = z.infer<typeof watchRecordSchema>;

/** The records in one store (the `executions/` folder of --out). */
export class WatchRecords {
  constructor(private readonly store: ObjectStore) {}

  /** The record of an execution, or undefined when it never ended here (or the record is unreadable). */
  async read(execution: string): Promise<WatchRecord | undefined> {
    try {
      const parsed = watchRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(await this.store.get(`${execution}.json`))));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof ObjectNotFoundError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** Record how an execution ended. */
  async write(record: WatchRecord): Promise<void> {
    await this.store.put(`${record.execution}.json`, `${JSON.stringify(record, null, 2)}\n`);
  }
}
