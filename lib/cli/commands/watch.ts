import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { localRunner } from '../../run/watch/local-runner.js';
import { watchDatasets, type WatchEvent } from '../../run/watch/watch-datasets.js';
import { intOption } from '../parse-int-option.js';
import { createRunProgress } from '../run-progress.js';
import { stopOnSignals } from '../stop-on-signals.js';

/** The flags of `watch`. */
interface WatchFlags {
  readonly out: string;
  readonly workers: number;
  readonly pollSeconds: number;
  readonly once: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
}

/** `megashard watch <location>`: the upload trigger's local twin. */
export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'Watch a folder or s3://bucket/prefix for new or changed dataset.json files (each sub-folder is a dataset) and run each write ' +
        'once with the local pipeline, named by the same rule as the AWS upload trigger. A failing dataset is logged and recorded ' +
        '(<out>/executions/<name>.json) and the watch goes on. Ctrl-C stops after the run under way (twice: at once; it resumes next time).',
    )
    .argument('<location>', 'folder or s3://bucket/prefix holding dataset folders')
    .option('--out <dir-or-s3-url>', 'where runs/<run id>/ and the watch records are written', '.megashard')
    .option('--workers <N>', 'worker threads for tokenizing (default: every core)', intOption('--workers'), availableParallelism())
    .option('--poll-seconds <s>', 'pause between scans', intOption('--poll-seconds'), 10)
    .option('--once', 'scan once, run what is new, then exit', false)
    .option('--json', 'print one JSON object per event', false)
    .option('--verbose', "print each task call's JSON log line", false)
    .action(async (location: string, flags: WatchFlags) => {
      const stop = stopOnSignals(() => process.stderr.write('\nstopping after the run under way (Ctrl-C again to stop now; it resumes next time)\n'));
      const print = flags.json
        ? (event: WatchEvent) => process.stdout.write(`${JSON.stringify({ event: event.kind, ...withoutKind(event) })}\n`)
        : humanWatchPrinter();
      try {
        await watchDatasets({
          location,
          outLocation: flags.out,
          runDataset: localRunner({ outLocation: flags.out, workers: flags.workers, verbose: flags.verbose }),
          pollMs: flags.pollSeconds * 1000,
          signal: stop.signal,
          once: flags.once,
          onEvent: print,
        });
      } finally {
        stop.dispose();
      }
    });
}

function withoutKind(event: WatchEvent): Record<string, unknown> {
  const { kind, ...rest } = event;
  void kind;
  return rest;
}

/** Lines for people: one per dataset started, skipped or ended; the run's progress as a local run shows it. */
function humanWatchPrinter(): (event: WatchEvent) => void {
  const progress = createRunProgress(process.stderr);
  let lastCount = -1;
  return (event) => {
    const err = (line: string) => process.stderr.write(`${line}\n`);
    switch (event.kind) {
      case 'progress':
        return progress.onEvent(event.update);
      case 'scanned':
        if (event.datasets !== lastCount) err(`watching: ${event.datasets} dataset${event.datasets === 1 ? '' : 's'}`);
        lastCount = event.datasets;
        return;
      case 'scan-failed':
        return err(`scan failed: ${event.error.name}: ${event.error.message} (trying again next scan)`);
      case 'skipped':
        return err(`${event.dataset}: already ran as ${event.execution} (${event.record.outcome})`);
      case 'started':
        return err(`${event.dataset}: running as ${event.execution}`);
      case 'ended':
        progress.finish();
        return process.stdout.write(`${endedLine(event)}\n`);
      case 'stopped':
        return err('stopped');
    }
  };
}

function endedLine(event: Extract<WatchEvent, { kind: 'ended' }>): string {
  const failure = event.error !== undefined ? `${event.error.name}: ${event.error.message}` : '';
  switch (event.outcome) {
    case 'complete':
      return `${event.dataset}: complete: ${event.runLocation ?? ''}`;
    case 'already-complete':
      return `${event.dataset}: already complete, nothing to do: ${event.runLocation ?? ''}`;
    case 'in-progress-elsewhere':
      return `${event.dataset}: nothing to do: ${failure}`;
    case 'transient-failure':
      return `${event.dataset}: ${failure} (trying again next scan)`;
    case 'failed':
      return `${event.dataset}: failed: ${failure}`;
  }
}
