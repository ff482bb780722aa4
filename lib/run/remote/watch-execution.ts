/**
 * Follow one execution until it ends: each poll reads only the history events since the last one
 * (GetExecutionHistory, newest first) and the item counts of the Distributed Maps running
 * (DescribeMapRun), and reports them as a local run reports its progress.
 */
import { ServiceError } from '../../core/errors.js';
import type { LocalRunEvent } from '../../local/run-events.js';
import { sleepMs } from '../../io/retry-transient.js';
import type { StepFunctions } from '../../io/step-functions.js';
import type { ExecutionDescription } from '../../io/step-functions-types.js';
import { HistoryProgress } from './history-progress.js';

/** Options of {@link watchExecution}. */
export interface WatchExecutionOptions {
  /** Pause between polls (Step Functions allows a few history reads per second per account). */
  readonly pollMs: number;
  readonly onEvent?: (event: LocalRunEvent) => void;
  /** Stop watching (the execution goes on). */
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What watching saw: the execution as last described, and its history folded. */
export interface WatchedExecution {
  readonly execution: ExecutionDescription;
  readonly progress: HistoryProgress;
}

/** Watch until the execution ends or `signal` aborts; resolves to its last description. */
export async function watchExecution(sfn: StepFunctions, executionArn: string, options: WatchExecutionOptions): Promise<WatchedExecution> {
  const progress = new HistoryProgress();
  const sleep = options.sleep ?? sleepMs;
  const maps = new MapCounts(sfn, options.onEvent);
  const stopped = () => options.signal?.aborted === true;
  for (;;) {
    for (const event of progress.apply(await sfn.historySince(executionArn, progress.lastEventId))) {
      // A map's last counts go before its exit, as a local run reports them.
      const mapRunArn = event.kind === 'state' && event.phase !== 'entered' ? progress.mapRuns.get(event.state) : undefined;
      if (mapRunArn !== undefined) await maps.report(event.state, mapRunArn);
      options.onEvent?.(event);
    }
    for (const [state, mapRunArn] of progress.mapRuns) await maps.report(state, mapRunArn);
    if (progress.ended || stopped()) break;
    await sleep(options.pollMs);
    if (stopped()) break;
  }
  const execution = await sfn.describeExecution(executionArn);
  if (execution === undefined) throw new ServiceError('Step Functions', `${executionArn}: no longer described while being watched; try \`megashard status\``);
  return { execution, progress };
}

/**
 * Item counts of Map Runs: one DescribeMapRun per running map per poll, reported when they changed;
 * a map that ended is described once more (its final counts) and then no longer.
 */
class MapCounts {
  private readonly last = new Map<string, string>();

  constructor(
    private readonly sfn: StepFunctions,
    private readonly onEvent: WatchExecutionOptions['onEvent'],
  ) {}

  async report(state: string, mapRunArn: string): Promise<void> {
    const known = this.last.get(mapRunArn);
    if (known?.startsWith('final:') === true) return;
    const { status, items } = await this.sfn.describeMapRun(mapRunArn);
    const counts = { doneItems: items.succeeded, failedItems: items.failed + items.timedOut + items.aborted, totalItems: items.total };
    const key = `${status === 'RUNNING' ? 'live' : 'final'}:${counts.doneItems}/${counts.failedItems}/${counts.totalItems}`;
    if (key.slice(key.indexOf(':')) !== known?.slice(known.indexOf(':'))) this.onEvent?.({ kind: 'map', state, progress: counts });
    this.last.set(mapRunArn, key);
  }
}
