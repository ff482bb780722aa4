import { z } from 'zod';
import { AuditFailedError, describeFailedChecks } from '../../core/audit/audit-failed-error.js';
import type { StoreRoot } from '../../io/store-root.js';
import { auditRun } from '../audit/audit-run.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What Audit returns: where the report is (bucket keys), checks run and warnings. */
export const auditResultSchema = z
  .object({ reportKey: z.string(), htmlKey: z.string(), checks: z.number().int().min(0), warnings: z.number().int().min(0) })
  .strict();

/**
 * Audit: re-derive coverage, balance and waste from the written shards and write
 * `audit/report.json` + `report.html`. A failed check throws AuditFailed naming each failed check
 * with its first finding (Catch → Fail); the step is then not recorded, so a rerun audits again.
 */
export function createAuditHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof auditResultSchema>> => {
    const { runPrefix } = parseEvent(runRefSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), 'audit', auditResultSchema, async (run) => {
      const { report, reportKey, htmlKey } = await auditRun(run);
      if (!report.passed) throw new AuditFailedError(describeFailedChecks(report));
      return { reportKey, htmlKey, checks: report.checks.length, warnings: report.checks.filter((check) => check.status === 'warn').length };
    });
    return { ...result, reportKey: bucketKey(runPrefix, result.reportKey), htmlKey: bucketKey(runPrefix, result.htmlKey) };
  };
}
