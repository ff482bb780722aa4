/**
 * How remote commands speak: the same progress lines as a local run on stderr, a summary on stdout,
 * or with `--json` one JSON object per line on stdout (`{"event": …}`), for scripts.
 */
import type { RemoteRunSummary } from '../run/remote/execution-summary.js';
import type { RemoteRunEvent } from '../run/remote/run-remote.js';
import { createRunProgress } from './run-progress.js';

/** Prints a remote run's events for people (stderr) or as JSON lines (stdout). */
export interface RemoteReporter {
  readonly onEvent: (event: RemoteRunEvent) => void;
  readonly finish: () => void;
}

/** A reporter: JSON lines, or human lines reusing the local run's progress printer. */
export function createRemoteReporter(json: boolean, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): RemoteReporter {
  if (json) return jsonReporter(out);
  const progress = createRunProgress(err);
  let lastDecile = -1;
  const onEvent = (event: RemoteRunEvent) => {
    switch (event.kind) {
      case 'state':
      case 'map':
        return progress.onEvent(event);
      case 'upload': {
        // One line per 10 % of the files (a dataset may hold hundreds of thousands of images).
        const decile = Math.floor((10 * event.done) / Math.max(1, event.total));
        if (decile !== lastDecile) err.write(`upload: ${event.done}/${event.total} files\n`);
        lastDecile = decile;
        return;
      }
      case 'uploaded':
        err.write(event.files > 0 ? `uploaded ${event.files} files; ${event.dataset} written last\n` : `using ${event.dataset}\n`);
        return;
      case 'execution':
        err.write(`${event.action === 'started' ? 'started' : 'following'} execution ${event.name}\n`);
        return;
      case 'ended':
        return;
    }
  };
  return { onEvent, finish: progress.finish };
}

/** One line per event; upload progress at most once per percent, so a large upload is not a flood. */
function jsonReporter(out: NodeJS.WriteStream): RemoteReporter {
  let lastPercent = -1;
  const onEvent = (event: RemoteRunEvent) => {
    if (event.kind === 'upload') {
      const percent = Math.floor((100 * event.done) / Math.max(1, event.total));
      if (percent === lastPercent && event.done !== event.total) return;
      lastPercent = percent;
    }
    const { kind, ...rest } = event;
    out.write(`${JSON.stringify({ event: kind, ...rest })}\n`);
  };
  return { onEvent, finish: () => undefined };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The human summary of an execution: where the run is, the audit verdict, or what failed. */
export function remoteSummaryLines(summary: RemoteRunSummary): string[] {
  const head: Record<RemoteRunSummary['outcome'], string> = {
    running: 'running',
    complete: 'complete',
    'already-complete': 'already complete, nothing to do',
    'in-progress-elsewhere': `nothing to do: the run is being written by execution ${summary.inProgressBy ?? '?'}`,
    failed: 'failed',
    aborted: 'aborted',
    'timed-out': 'timed out',
  };
  const { audit, failure } = summary;
  return [
    `megashard execution ${summary.name}: ${head[summary.outcome]}`,
    ...(summary.runFolder !== undefined ? [`  run folder   : ${summary.runFolder}`] : []),
    ...(audit !== undefined ? [`  audit        : passed, ${audit.checks} checks (${audit.warnings} warnings): ${audit.html}`] : []),
    ...(failure !== undefined
      ? [`  failed state : ${failure.state ?? '(unknown)'}`, `  error        : ${failure.error}`, `  cause        : ${failure.cause}`]
      : []),
    ...(summary.outcome === 'running' ? [`  follow it    : megashard status ${summary.name}`] : []),
    `  execution    : ${summary.executionArn}`,
    `  started      : ${summary.startDate}${summary.durationMs !== undefined ? ` (${seconds(summary.durationMs)})` : ''}`,
  ];
}
