import { causeMessage } from '../local/asl.js';
import type { LocalRunEvent } from '../local/run-events.js';

const BAR_WIDTH = 24;

/** Writes what a local run is doing: a redrawn bar on a terminal, plain lines otherwise. */
export interface RunProgress {
  readonly onEvent: (event: LocalRunEvent) => void;
  /** Clear the bar (call before printing the summary). */
  readonly finish: () => void;
}

/**
 * Hand-written on purpose (a dozen lines of ANSI): on a TTY one status line is redrawn in place
 * and state changes are printed above it; elsewhere (CI, pipes, files) each change is one plain
 * line, with map progress at most once per 10 %.
 */
export function createRunProgress(stream: NodeJS.WriteStream): RunProgress {
  const tty = stream.isTTY === true;
  const started = new Map<string, number>();
  let bar = '';
  let lastDecile = -1;
  const line = (text: string) => {
    if (tty && bar !== '') stream.write('\r\x1b[2K');
    stream.write(`${text}\n`);
    if (tty && bar !== '') stream.write(bar);
  };
  const onEvent = (event: LocalRunEvent) => {
    if (event.kind === 'map') {
      const { doneItems, failedItems, totalItems } = event.progress;
      const failed = failedItems > 0 ? `, ${failedItems} failed` : '';
      if (tty) {
        const filled = totalItems === 0 ? BAR_WIDTH : Math.round((doneItems / totalItems) * BAR_WIDTH);
        bar = `${event.state} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${doneItems}/${totalItems} items${failed}`;
        stream.write(`\r\x1b[2K${bar}`);
        return;
      }
      const decile = totalItems === 0 ? 10 : Math.floor((doneItems * 10) / totalItems);
      if (decile !== lastDecile) line(`${event.state}: ${doneItems}/${totalItems} items${failed}`);
      lastDecile = decile;
      return;
    }
    // Choice, Pass, Succeed and Fail states take no time worth a line (the CLI reports the failure).
    // A Distributed Map is a Task locally (our shim) and a Map on AWS (run --on aws): both get lines.
    if (event.type !== 'Task' && event.type !== 'Map') return;
    if (event.phase === 'entered') {
      started.set(event.state, performance.now());
      line(`${event.state} …`);
    } else if (event.phase === 'exited') {
      if (bar !== '') stream.write(tty ? '\r\x1b[2K' : '');
      bar = '';
      const since = started.get(event.state);
      line(`${event.state} done${since === undefined ? '' : ` (${((performance.now() - since) / 1000).toFixed(1)} s)`}`);
    } else if (event.phase === 'retried') {
      line(`${event.state}: retrying`);
    } else if (event.phase === 'failed') {
      line(`${event.state} failed: ${event.error ?? ''}: ${causeMessage(event.cause ?? '')}`);
    }
  };
  const finish = () => {
    if (tty && bar !== '') stream.write('\r\x1b[2K');
    bar = '';
  };
  return { onEvent, finish };
}
