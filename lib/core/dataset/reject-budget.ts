/**
 * The reject budget (`maxRejectedFraction` in dataset.json): how many of a run's records may be
 * rejected before MergeIndex fails the run instead of planning what is left. A few bad records
 * are normal in a large corpus; more usually means one systematic fault — a wrong `imageRoot`, an
 * image folder not unzipped, a template that does not fit the data — which no training job wants.
 */
import { z } from 'zod';
import type { RejectReasonCount } from '../audit/rejects-by-reason.js';
import type { LengthIndex } from '../index/length-index.js';

/**
 * Default budget: 1 % of records. LLaVA-1.5's mix665k and LLaVA-Pretrain have no bad records as
 * released, so 1 % is already far above noise, yet a missing image subset (TextVQA is 3.3 % of
 * mix665k) still trips it.
 */
export const DEFAULT_MAX_REJECTED_FRACTION = 0.01;

const FRACTION_ERROR = 'maxRejectedFraction must be a number from 0 to 1 (0.01 allows 1 % of records to be rejected; 1 allows any number)';

/** `maxRejectedFraction`: the largest share of records that may be rejected, in [0, 1]. */
export const rejectFractionSchema = z
  .number({ error: FRACTION_ERROR })
  .min(0, { error: FRACTION_ERROR })
  .max(1, { error: FRACTION_ERROR })
  .describe('Largest share of records that may be rejected before the run fails at MergeIndex (default 0.01 = 1 %).');

/** A run's records after tokenizing: accepted (in the index) and rejected (in rejects/). */
export interface RecordTally {
  readonly accepted: number;
  readonly rejected: number;
}

/** Records in a merged index: rows, with the several rows of one split document counted once. */
export function countIndexedRecords(index: LengthIndex): number {
  let records = 0;
  for (let row = 0; row < index.sampleCount; row++) {
    const same = row > 0 && index.sourceIndex[row] === index.sourceIndex[row - 1] && index.sourceOffsets[row] === index.sourceOffsets[row - 1];
    if (!same) records++;
  }
  return records;
}

/** Whether the tally fails the run: nothing accepted, or a rejected share above `budget`. */
export function exceedsRejectBudget(tally: RecordTally, budget: number): boolean {
  if (tally.accepted === 0) return true;
  return tally.rejected / (tally.accepted + tally.rejected) > budget;
}

const percent = (x: number): string => `${(100 * x).toFixed(x < 0.001 ? 3 : 1)} %`;

/** The top reason classes as `count × example (in sources)`, most frequent first. */
export function describeTopReasons(reasons: readonly RejectReasonCount[], top = 5): string {
  const shown = reasons.slice(0, top).map((r) => `${r.count} × ${r.example}${r.count > 1 ? ' (and alike)' : ''} [${r.sources.join(', ')}]`);
  const more = reasons.length > top ? `; ${reasons.length - top} more reason(s)` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * What MergeIndex says when the tally exceeds the budget: the counts, the top reasons and where
 * the rejects are, and what to change.
 */
export function rejectBudgetMessage(tally: RecordTally, budget: number, reasons: readonly RejectReasonCount[], rejectsLocation: string): string {
  const records = tally.accepted + tally.rejected;
  const where = `rejects (one JSON line each, with source, byte offset, record id and reason) are in ${rejectsLocation}`;
  if (records === 0) return `the sources hold no records: nothing to tokenize; check dataset.json "sources" and the files they name`;
  const top = reasons.length > 0 ? `; top reasons: ${describeTopReasons(reasons)}` : '';
  if (tally.accepted === 0) {
    return `every record was rejected (${tally.rejected} of ${records}): no sample is left to plan${top}; ${where}`;
  }
  const share = tally.rejected / records;
  return (
    `${tally.rejected} of ${records} records rejected (${percent(share)}), over maxRejectedFraction ${budget} (${percent(budget)})${top}; ` +
    `${where}. Fix the data, or raise maxRejectedFraction in dataset.json to accept these rejects (the tokenized chunks are reused)`
  );
}
