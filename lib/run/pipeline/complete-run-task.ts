import type { StoreRoot } from '../../io/store-root.js';
import { completeRun, RUN_RECORD_KEY, type RunRecord } from './complete-run.js';
import { completeRunEventSchema, parseEvent } from './events.js';
import { bucketKey, keyUnder } from './run-keys.js';

/**
 * CompleteRun: record what every step reported, keys made relative to the run (so the record is
 * the same wherever the run sits), and write `runs/<run id>/run.json` last.
 */
export function createCompleteRunHandler(root: StoreRoot) {
  return async (event: unknown) => {
    const { datasetPrefix, runPrefix, runId, outputs } = parseEvent(completeRunEventSchema, event);
    const relative: RunRecord['outputs'] = {};
    for (const [step, report] of Object.entries(outputs)) {
      relative[step] = Object.fromEntries(
        Object.entries(report).map(([field, value]) => [field, field.endsWith('Key') && typeof value === 'string' ? keyUnder(runPrefix, value, `event.outputs.${step}.${field}`) : value]),
      );
    }
    const record = await completeRun(root.openUnder(runPrefix), runId, relative);
    return { datasetPrefix, runPrefix, runId, complete: true, runKey: bucketKey(runPrefix, RUN_RECORD_KEY), steps: record.steps.length, outputs };
  };
}
