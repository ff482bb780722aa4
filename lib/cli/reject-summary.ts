import { countRejectsByReason, type RejectReasonCount } from '../core/audit/rejects-by-reason.js';
import { REJECTS_PREFIX } from '../core/run-layout.js';
import { openStore } from '../io/open-store.js';
import { readRunRejects } from '../run/tokenize/read-run-rejects.js';

/** Reason classes printed by `run` and `demo`; the rest are counted on one line. */
const SHOWN_REASONS = 5;

/** A run's rejects by reason class (most frequent first), read from its `rejects/` files. */
export async function readRejectsByReason(runLocation: string): Promise<RejectReasonCount[]> {
  return countRejectsByReason(await readRunRejects(openStore(runLocation)));
}

/** The summary lines of a run's rejects: total and where, then one line per reason class. */
export function rejectLines(runLocation: string, reasons: readonly RejectReasonCount[]): string[] {
  const total = reasons.reduce((sum, reason) => sum + reason.count, 0);
  if (total === 0) return ['  rejects      : none'];
  const lines = [`  rejects      : ${total}, by reason (files: ${runLocation}/${REJECTS_PREFIX})`];
  for (const reason of reasons.slice(0, SHOWN_REASONS))
    lines.push(`    ${String(reason.count).padStart(8)} × ${reason.example}${reason.count > 1 ? ' (and alike)' : ''} [${reason.sources.join(', ')}]`);
  const rest = reasons.slice(SHOWN_REASONS);
  if (rest.length > 0) lines.push(`    ${String(rest.reduce((sum, r) => sum + r.count, 0)).padStart(8)} × ${rest.length} other reason(s)`);
  return lines;
}
