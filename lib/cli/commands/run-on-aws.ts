import { RemoteTaskError } from '../../core/errors.js';
import type { RemoteRunSummary } from '../../run/remote/execution-summary.js';
import { runRemote } from '../../run/remote/run-remote.js';
import { stopOnSignals } from '../stop-on-signals.js';
import { bucketOpener, remoteTargetOf, stepFunctionsFromEnvironment, type RemoteTargetFlags } from '../remote-options.js';
import { createRemoteReporter, remoteSummaryLines } from '../remote-report.js';

/** The flags of `run --on aws`. */
export interface RunOnAwsFlags extends RemoteTargetFlags {
  readonly json: boolean;
  readonly detach: boolean;
  readonly name?: string;
}

/**
 * `run <dataset> --on aws`: upload (or find) the dataset, start (or find) its execution, and follow
 * it to the end with the local run's progress; Ctrl-C stops following, not the execution. A failed
 * execution exits as its error (exit 2 for InvalidInput: the dataset must change).
 */
export async function runOnAws(dataset: string, flags: RunOnAwsFlags): Promise<void> {
  const target = await remoteTargetOf(flags);
  const reporter = createRemoteReporter(flags.json);
  const stop = stopOnSignals(() => process.stderr.write('\nstopped following; the execution goes on\n'));
  let summary: RemoteRunSummary;
  try {
    summary = await runRemote({
      dataset,
      target,
      sfn: stepFunctionsFromEnvironment(),
      openBucket: bucketOpener(target.bucket),
      detach: flags.detach,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.pollMs !== undefined ? { pollMs: flags.pollMs } : {}),
      signal: stop.signal,
      onEvent: reporter.onEvent,
    });
  } finally {
    reporter.finish();
    stop.dispose();
  }
  if (flags.json) {
    // The 'ended' event carries the summary once watched; a detached or stopped run prints it here.
    if (summary.outcome === 'running') process.stdout.write(`${JSON.stringify({ event: 'ended', summary })}\n`);
  } else {
    process.stdout.write(`${remoteSummaryLines(summary).join('\n')}\n`);
  }
  if (summary.failure !== undefined) {
    const where = summary.failure.state !== undefined ? `${summary.failure.state} failed: ` : '';
    throw new RemoteTaskError(summary.failure.error, `${where}${summary.failure.cause} (execution ${summary.name})`);
  }
}
