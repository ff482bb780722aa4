import type { Command } from 'commander';
import type { AuditReport } from '../../core/audit/report-schema.js';
import { AuditFailedError, describeFailedChecks } from '../../core/audit/audit-failed-error.js';
import { openStore } from '../../io/open-store.js';
import { auditRun } from '../../run/audit/audit-run.js';
import { intOption } from '../parse-int-option.js';

/** `megashard audit <run-url>`: re-derive coverage, balance and waste from the written shards. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'Audit a run from its written shards (not the planner): every sample exactly once per epoch, no unknown ids, ' +
        'equal steps, sha256 of every file, per-step token imbalance, padding waste vs a random order, longest ' +
        'micro-batch first, epochs ordered differently, rejects by reason. Writes audit/report.json and ' +
        'audit/report.html into the run; exits 1 naming each failed check (2 for bad input).',
    )
    .argument('<run-url>', 'the run: a folder or s3://bucket/prefix holding plan/ and shards/')
    .option('--reads-in-flight <N>', 'shard files fetched at once', intOption('--reads-in-flight'), 8)
    .option('--quiet', 'no progress on stderr')
    .action(async (runUrl: string, options: { readsInFlight: number; quiet?: boolean }) => {
      const run = openStore(runUrl);
      const result = await auditRun(run, {
        readsInFlight: options.readsInFlight,
        onEpoch: (epoch) => options.quiet || process.stderr.write(`audited epoch ${epoch}\n`),
      });
      process.stdout.write(`${summaryLines(result.report, run.location).join('\n')}\n`);
      // Printed by the CLI's error reporter as `megashard: AuditFailed: …`, exit code 1.
      if (!result.report.passed) throw new AuditFailedError(describeFailedChecks(result.report));
    });
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

function summaryLines(report: AuditReport, location: string): string[] {
  const { run } = report;
  const lines = [
    `megashard audit: ${report.passed ? 'PASSED' : 'FAILED'} — ${run.strategyId}, ${run.sampleCount} samples, ${run.epochs} epochs × ${run.worldSize} ranks, ${report.files.verified} files hashed`,
    ...report.checks.map((check) => `  ${check.status.toUpperCase().padEnd(4)} ${check.id.padEnd(19)} ${check.summary}`),
  ];
  for (const epoch of report.epochs) {
    const q = epoch.quality;
    const figures =
      `token imbalance ${percent(q.written.meanStepTokenImbalance)} (random ${percent(q.randomOrder.meanStepTokenImbalance)}), ` +
      `padded slots wasted ${percent(q.written.wastedSlotFraction)} (random ${percent(q.randomOrder.wastedSlotFraction)})`;
    lines.push(`  epoch ${epoch.epoch}: coverage ${percent(epoch.coverage)}, ${epoch.stepsPerRank.max} steps, ${figures}`);
  }
  lines.push(`  unsynchronised per-rank seeds would cover ${percent(report.context.unsynchronisedSeedsCoverage)} at W = ${run.worldSize}`);
  lines.push(`  report: ${location}/audit/report.json, ${location}/audit/report.html`);
  return lines;
}
