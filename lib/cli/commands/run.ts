import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { RunInProgressError } from '../../core/errors.js';
import { runPipeline, type PipelineRunResult } from '../../run/pipeline/run-pipeline.js';
import { addRemoteTargetOptions } from '../remote-options.js';
import { runOnAws, type RunOnAwsFlags } from './run-on-aws.js';
import { intOption } from '../parse-int-option.js';
import { createRunProgress } from '../run-progress.js';
import type { RejectReasonCount } from '../../core/audit/rejects-by-reason.js';
import { packRejectLines, readPackRejects, readRejectsByReason, rejectLines, type EpochPackRejects } from '../reject-summary.js';

/** `megashard run <dataset>`: the deployed state machine, run locally (or, with --on aws, on the stack). */
export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description(
      'Run the pipeline (PlanSourceHashes → HashSources map → Prepare → PlanImageListing → ListImages map → Tokenize map → MergeIndex → PlanShards → Route map → Assemble map → FinishShards → AuditPartial map → Audit → CompleteRun) on a dataset locally: the same ' +
        'state machine the CDK stack deploys, each Lambda task run in-process (Tokenize on every core). Outputs go to ' +
        '<out>/runs/<run id>/, the run id being a fingerprint of the dataset; rerunning an unchanged dataset does nothing, ' +
        'and an interrupted run resumes. With --on aws the deployed stack runs it: a folder is uploaded to datasets/<name>/ (dataset.json last), ' +
        "the upload's execution is started or found (the upload trigger starts the same one), and its progress is followed to the end.",
    )
    .argument('<dataset>', 'folder or s3://bucket/prefix holding dataset.json and its sources')
    .addOption(
      new Option('--on <where>', 'local: this machine; aws: the deployed stack (uploads a folder, dataset.json last, and follows the execution)')
        .choices(['local', 'aws'])
        .default('local'),
    )
    .option('--out <dir-or-s3-url>', 'where runs/<run id>/ is written', '.megashard')
    .option('--workers <N>', 'worker threads for tokenizing (default: every core); outputs do not depend on it', intOption('--workers'), availableParallelism())
    .option('--json', 'print the result as one JSON line instead of the summary (with --on aws: one JSON event per line)', false)
    .option('--verbose', "print each task call's JSON log line (what each Lambda writes to CloudWatch)", false)
    .option('--detach', 'with --on aws: return once the execution is started (or found), without following it', false)
    .option('--name <name>', "with --on aws: the folder name under datasets/ (default: the dataset folder's name)");
  addRemoteTargetOptions(command);
  command.action(async (dataset: string, options: RunFlags) => {
    if (options.on === 'aws') return runOnAws(dataset, options);
    const progress = createRunProgress(process.stderr);
    let result: PipelineRunResult;
    try {
      result = await runPipeline({
        datasetLocation: dataset,
        outLocation: options.out,
        workers: options.workers,
        verbose: options.verbose,
        onEvent: progress.onEvent,
      });
    } catch (error) {
      // Another execution writes the same run (identical inputs): a no-op, not a failure.
      if (!(error instanceof RunInProgressError)) throw error;
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ runId: error.runId, ran: false, inProgressBy: error.execution })}\n`
          : `megashard run ${error.runId}: ${error.message}\n`,
      );
      return;
    } finally {
      progress.finish();
    }
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const rejects = await readRejectsByReason(result.runLocation);
    const planKey = (result.record.outputs as { plan?: { manifestKey?: unknown } }).plan?.manifestKey;
    const packRejects = typeof planKey === 'string' ? await readPackRejects(result.runLocation, planKey) : null;
    if (options.json) process.stdout.write(`${JSON.stringify({ ...summaryJson(result), rejects, ...packRejectsJson(packRejects), peakRssMb })}\n`);
    else process.stdout.write(`${summaryLines(result, peakRssMb, rejects, packRejects).join('\n')}\n`);
  });
}

/** The flags of `run`: the local ones, and those of `--on aws`. */
interface RunFlags extends RunOnAwsFlags {
  readonly on: 'local' | 'aws';
  readonly out: string;
  readonly workers: number;
  readonly verbose: boolean;
}

/** Packing rejects per epoch in --json (ids stay in the plan's epoch manifests). */
function packRejectsJson(epochs: readonly EpochPackRejects[] | null) {
  if (epochs === null) return {};
  const packRejects = epochs.map(({ epoch, manifestKey, ids, reasons }) => ({
    epoch,
    manifestKey,
    count: ids.length,
    byReason: Object.fromEntries([...new Set(reasons)].map((reason) => [reason, reasons.filter((r) => r === reason).length])),
  }));
  return { packRejects };
}

function summaryJson(result: PipelineRunResult) {
  return { runId: result.runId, runLocation: result.runLocation, ran: result.ran, outputs: result.record.outputs, timing: result.timing };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The human summary: where each output is, the rejects by reason, and where the time went. */
export function summaryLines(
  result: PipelineRunResult,
  peakRssMb: number,
  rejects: readonly RejectReasonCount[],
  packRejects: readonly EpochPackRejects[] | null = null,
): string[] {
  const { index, plan, shards, audit } = result.record.outputs as Partial<Record<'index' | 'plan' | 'shards' | 'audit', Record<string, unknown>>>;
  const at = (key: unknown) => `${result.runLocation}/${String(key)}`;
  const { runMs, taskBusyMs, machineOverheadMs } = result.timing;
  return [
    `megashard run ${result.runId}: ${result.ran ? 'complete' : 'already complete, nothing to do'}`,
    `  outputs      : ${result.runLocation}`,
    ...(index ? [`  length index : ${at(index.indexKey)} (${String(index.samples)} samples, ${String(index.duplicates)} duplicate ids removed)`] : []),
    ...rejectLines(result.runLocation, rejects),
    ...packRejectLines(result.runLocation, packRejects),
    ...(plan ? [`  plan         : ${at(plan.manifestKey)} (${String(plan.epochs)} epochs, run ${String(plan.runFingerprint).slice(0, 12)})`] : []),
    ...(shards ? [`  shards       : ${at(shards.manifestKey)} (${String(shards.epochs)} epochs, ${String(shards.files)} files)`] : []),
    ...(audit ? [`  audit        : passed, ${String(audit.checks)} checks (${String(audit.warnings)} warnings): ${at(audit.htmlKey)}`] : []),
    `  run record   : ${at('run.json')}`,
    `  time         : ${seconds(runMs)} (tasks ${seconds(taskBusyMs)}, state machine ${seconds(machineOverheadMs)} = ${((100 * machineOverheadMs) / Math.max(1, runMs)).toFixed(1)}%), peak RSS ${peakRssMb} MB`,
  ];
}
