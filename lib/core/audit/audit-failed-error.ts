import { MegashardError } from '../errors.js';
import type { AuditReport } from './report-schema.js';

/**
 * The audit ran and at least one check failed. Not bad input (exit code 1, not 2) and not
 * transient: the shards are wrong until rewritten. The message names every failed check with its
 * first finding (epoch, rank, step).
 */
export class AuditFailedError extends MegashardError {
  override readonly name = 'AuditFailed';
  constructor(readonly failedChecks: readonly string[]) {
    super(`${failedChecks.length} check${failedChecks.length === 1 ? '' : 's'} failed: ${failedChecks.join('; ')}`);
  }
}

/** Failed checks as `id: first finding (and N more)` lines. */
export function describeFailedChecks(report: AuditReport): string[] {
  return report.checks.filter((check) => check.status === 'fail').map((check) => `${check.id}: ${check.summary}`);
}
