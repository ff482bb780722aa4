import { RUN_RECORD_KEY, STEPS_PREFIX } from '../core/run-layout.js';
import { z } from 'zod';
import { ObjectNotFoundError } from '../core/errors.js';
import type { ObjectStore } from '../io/object-store.js';
import { hashObject } from './hash-object.js';

const digestSchema = z.object({ key: z.string().min(1), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/** `run.json`: what the run made (each step's report) and the record of every step, by digest. */
export const runRecordSchema = z
  .object({
    kind: z.literal('megashard-run'),
    formatVersion: z.literal(1),
    runId: z.string().min(1),
    /** What each step reported (keys relative to the run's folder, and counts), by step name. */
    outputs: z.record(z.string(), z.record(z.string(), z.unknown())),
    /** Every step record (each lists its objects with SHA-256), so the whole run can be verified. */
    steps: z.array(digestSchema),
  })
  .strict();

/** A completed run's record. */
export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * Finish a run: check that every key a step reported exists, digest every step record, and write
 * `run.json` last. Its bytes depend only on the run's inputs, so an interrupted and resumed run
 * writes the same record as an uninterrupted one.
 */
export async function completeRun(run: ObjectStore, runId: string, outputs: RunRecord['outputs']): Promise<RunRecord> {
  for (const [step, report] of Object.entries(outputs)) {
    for (const [field, value] of Object.entries(report)) {
      if (field.endsWith('Key') && typeof value === 'string' && !(await run.exists(value))) {
        throw new ObjectNotFoundError(`${run.location}/${value} (reported by ${step}.${field})`);
      }
    }
  }
  const steps = [];
  for (const key of await run.list(`${STEPS_PREFIX}/`)) steps.push({ key, ...(await hashObject(run, key)) });
  const record: RunRecord = { kind: 'megashard-run', formatVersion: 1, runId, outputs, steps };
  await run.put(RUN_RECORD_KEY, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The record of a completed run, or undefined when the run has not completed (or its record is damaged). */
export async function readCompletedRun(run: ObjectStore): Promise<RunRecord | undefined> {
  if (!(await run.exists(RUN_RECORD_KEY))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(await run.get(RUN_RECORD_KEY)));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const parsed = runRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
