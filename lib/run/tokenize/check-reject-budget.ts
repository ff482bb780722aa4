import { countRejectsByReason } from '../../core/audit/rejects-by-reason.js';
import { exceedsRejectBudget, rejectBudgetMessage, type RecordTally } from '../../core/dataset/reject-budget.js';
import { TooManyRejectsError } from '../../core/errors.js';
import { REJECTS_PREFIX } from '../../core/run-layout.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readRunRejects } from './read-run-rejects.js';

/**
 * Fail the run at MergeIndex when rejects emptied it or exceed `maxRejectedFraction`, with the
 * counts, the top reasons and where the rejects files are. Within budget it reads nothing: the
 * reject files are only read to explain a failure.
 */
export async function checkRejectBudget(run: ObjectStore, tally: RecordTally, maxRejectedFraction: number): Promise<void> {
  if (!exceedsRejectBudget(tally, maxRejectedFraction)) return;
  const rejectsLocation = `${run.location}/${REJECTS_PREFIX}`;
  const reasons = countRejectsByReason(await readRunRejects(run));
  const message = rejectBudgetMessage(tally, maxRejectedFraction, reasons, rejectsLocation);
  throw new TooManyRejectsError(rejectsLocation, tally.rejected, tally.accepted + tally.rejected, message);
}
