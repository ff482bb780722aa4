/**
 * `megashard watch`: the local twin of the upload trigger. It polls a folder or s3:// prefix for
 * new or changed dataset.json files and runs each write once, one at a time, with the local runner
 * — named by the trigger's rule, so a write seen twice runs once. A dataset that fails is logged
 * and recorded and the watcher goes on; stopping (the AbortSignal) waits for the run under way.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MegashardError, RunInProgressError } from '../../core/errors.js';
import type { LocalRunEvent } from '../../local/run-events.js';
import { openStore } from '../../io/open-store.js';
import { joinLocation } from '../../io/store-root.js';
import { scanDatasets, type FoundDataset } from './scan-datasets.js';
import { EXECUTIONS_PREFIX, WatchRecords, type WatchRecord } from './watch-records.js';

/** What a watched run produced (the local runner's result, in short). */
export interface WatchedRunResult {
  readonly runId: string;
  readonly runLocation: string;
  /** false when an identical run had already completed. */
  readonly ran: boolean;
}

/** Runs one found dataset (the local runner by default; tests inject their own). */
export type RunWatchedDataset = (dataset: FoundDataset, onEvent: (event: LocalRunEvent) => void) => Promise<WatchedRunResult>;

/** What the watcher reports. */
export type WatchEvent =
  | { readonly kind: 'scanned'; readonly datasets: number }
  | { readonly kind: 'scan-failed'; readonly error: { readonly name: string; readonly message: string } }
  | { readonly kind: 'skipped'; readonly dataset: string; readonly execution: string; readonly record: WatchRecord }
  | { readonly kind: 'started'; readonly dataset: string; readonly execution: string }
  | { readonly kind: 'progress'; readonly execution: string; readonly update: LocalRunEvent }
  | {
      readonly kind: 'ended';
      readonly dataset: string;
      readonly execution: string;
      readonly outcome: WatchOutcome;
      readonly runId?: string;
      readonly runLocation?: string;
      readonly error?: { readonly name: string; readonly message: string };
    }
  | { readonly kind: 'stopped' };

/** How one watched run ended: recorded outcomes, plus two that are retried later. */
export type WatchOutcome = WatchRecord['outcome'] | 'in-progress-elsewhere' | 'transient-failure';

/** Options of {@link watchDatasets}. */
export interface WatchDatasetsOptions {
  /** A folder or s3:// prefix whose sub-folders are datasets (it may be a dataset itself). */
  readonly location: string;
  /** Where runs go (`runs/<run id>/`) and the watcher's records (`executions/`). */
  readonly outLocation: string;
  readonly runDataset: RunWatchedDataset;
  readonly pollMs: number;
  /** Stop after the run under way (or at once when idle). */
  readonly signal: AbortSignal;
  /** One scan, every new dataset run, then return (for cron and tests). */
  readonly once?: boolean;
  readonly onEvent?: (event: WatchEvent) => void;
}

/** Watch until stopped; resolves to the number of runs started. */
export async function watchDatasets(options: WatchDatasetsOptions): Promise<number> {
  const watched = openStore(options.location);
  const records = new WatchRecords(openStore(joinLocation(options.outLocation, EXECUTIONS_PREFIX)));
  const settled = new Set<string>();
  let started = 0;
  while (!options.signal.aborted) {
    const found = await scanDatasets(watched).catch((error: unknown) => {
      options.onEvent?.({ kind: 'scan-failed', error: describe(error) });
      return [];
    });
    options.onEvent?.({ kind: 'scanned', datasets: found.length });
    for (const dataset of found) {
      if (options.signal.aborted) break;
      if (settled.has(dataset.executionName)) continue;
      const record = await records.read(dataset.executionName);
      if (record === undefined) started += 1;
      const outcome = record !== undefined ? skip(dataset, record, options) : await runOnce(dataset, records, options);
      if (outcome !== 'transient-failure') settled.add(dataset.executionName);
    }
    if (options.once === true) break;
    await delay(options.pollMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
  options.onEvent?.({ kind: 'stopped' });
  return started;
}

function skip(dataset: FoundDataset, record: WatchRecord, options: WatchDatasetsOptions): WatchOutcome {
  options.onEvent?.({ kind: 'skipped', dataset: dataset.location, execution: dataset.executionName, record });
  return record.outcome;
}

/** Run one dataset; every way it can end is reported, and recorded unless it may pass on a retry. */
async function runOnce(dataset: FoundDataset, records: WatchRecords, options: WatchDatasetsOptions): Promise<WatchOutcome> {
  const execution = dataset.executionName;
  const ended = (outcome: WatchOutcome, extra: Partial<Extract<WatchEvent, { kind: 'ended' }>>) =>
    options.onEvent?.({ kind: 'ended', dataset: dataset.location, execution, outcome, ...extra });
  options.onEvent?.({ kind: 'started', dataset: dataset.location, execution });
  try {
    const result = await options.runDataset(dataset, (event) => options.onEvent?.({ kind: 'progress', execution, update: event }));
    const outcome = result.ran ? 'complete' : 'already-complete';
    await records.write({ ...recordBase(dataset), outcome, runId: result.runId });
    ended(outcome, { runId: result.runId, runLocation: result.runLocation });
    return outcome;
  } catch (error) {
    const failure = describe(error);
    if (error instanceof RunInProgressError) {
      ended('in-progress-elsewhere', { runId: error.runId, error: failure });
      return 'in-progress-elsewhere';
    }
    // Throttling, a dropped connection: the next poll tries again.
    if (error instanceof MegashardError && error.transient) {
      ended('transient-failure', { error: failure });
      return 'transient-failure';
    }
    await records.write({ ...recordBase(dataset), outcome: 'failed', error: failure }).catch(() => undefined);
    ended('failed', { error: failure });
    return 'failed';
  }
}

function recordBase(dataset: FoundDataset) {
  return {
    kind: 'megashard-watch-execution' as const,
    formatVersion: 1 as const,
    execution: dataset.executionName,
    dataset: dataset.location,
    endedAt: new Date().toISOString(),
  };
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
