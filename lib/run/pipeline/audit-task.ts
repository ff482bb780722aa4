import { z } from 'zod';
import { AuditFailedError, describeFailedChecks } from '../../core/audit/audit-failed-error.js';
import type { StoreRoot } from '../../io/store-root.js';
import { WORK_PREFIX } from '../../core/shards/route-layout.js';
import { deleteUnder } from '../../io/object-store.js';
import { reduceAudit } from '../audit/reduce-audit.js';
import { readShardSections } from '../shards/finish-shards-from-steps.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What Audit returns: where the report is (bucket keys), checks run and warnings. */
export const auditResultSchema = z
  .object({ reportKey: z.string(), htmlKey: z.string(), checks: z.number().int().min(0), warnings: z.number().int().min(0) })
  .strict();

/**
 * Audit: the reduce of the audit fan-out — the epoch-wide checks on the AuditPartial digests,
 * re-deriving coverage, balance and waste from the shards' columns, then `audit/report.json` +
 * `report.html`. A failed check throws AuditFailed naming each failed check
 * with its first finding (Catch → Fail); the step is then not recorded, so a rerun audits again.
 */
export function createAuditHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof auditResultSchema>> => {
    const { runPrefix } = parseEvent(runRefSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), 'audit', auditResultSchema, async (run) => {
      const { report, reportKey, htmlKey } = await reduceAudit(run, await readShardSections(run));
      if (!report.passed) throw new AuditFailedError(describeFailedChecks(report));
      // The digests were only the way there; a failed audit keeps them for a rerun of the reduce.
      await deleteUnder(run, `${WORK_PREFIX}/audit/`);
      return { reportKey, htmlKey, checks: report.checks.length, warnings: report.checks.filter((check) => check.status === 'warn').length };
    });
    return { ...result, reportKey: bucketKey(runPrefix, result.reportKey), htmlKey: bucketKey(runPrefix, result.htmlKey) };
  };
}
