import { RUN_RECORD_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { completeRun, type RunRecord } from '../run-record.js';
import { completeRunEventSchema, parseEvent } from './events.js';
import { bucketKey, keyUnder } from './run-keys.js';

/** What CompleteRun returns (the execution's output): the run, its record's key and what each step reported. */
export const completeRunResultSchema = z
  .object({
    datasetPrefix: z.string(),
    runPrefix: z.string(),
    runId: z.string(),
    complete: z.literal(true),
    runKey: z.string(),
    steps: z.number().int().min(0),
    outputs: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .strict();

/**
 * CompleteRun: record what every step reported, keys made relative to the run (so the record is
 * the same wherever the run sits), and write `runs/<run id>/run.json` last.
 */
export function createCompleteRunHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof completeRunResultSchema>> => {
    const { datasetPrefix, runPrefix, runId, outputs } = parseEvent(completeRunEventSchema, event);
    const relative: RunRecord['outputs'] = {};
    for (const [step, report] of Object.entries(outputs)) {
      relative[step] = Object.fromEntries(
        Object.entries(report).map(([field, value]) => [
          field,
          field.endsWith('Key') && typeof value === 'string' ? keyUnder(runPrefix, value, `event.outputs.${step}.${field}`) : value,
        ]),
      );
    }
    const record = await completeRun(root.openUnder(runPrefix), runId, relative);
    return { datasetPrefix, runPrefix, runId, complete: true as const, runKey: bucketKey(runPrefix, RUN_RECORD_KEY), steps: record.steps.length, outputs };
  };
}
