import type { Json } from '../asl.js';
import { executionFailure } from '../asl.js';
import { exceedsTolerance, type FailureTolerance } from './failure-tolerance.js';

/** How one child execution of a Map Run ended. */
export interface ChildOutcome {
  readonly index: number;
  readonly input: Json;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Json;
  readonly error?: { readonly Error: string; readonly Cause: string };
  readonly startDate: Date;
  readonly stopDate: Date;
}

/** Counts of a Map Run so far, in items (a batch counts as its items). */
export interface MapRunProgress {
  readonly doneItems: number;
  readonly failedItems: number;
  readonly totalItems: number;
}

/** Options of {@link runChildren}. */
export interface RunChildrenOptions {
  /** Child executions in flight at once. */
  readonly concurrency: number;
  readonly tolerance: FailureTolerance;
  readonly runChild: (input: Json, index: number) => Promise<Json>;
  readonly onSettled?: (outcome: ChildOutcome, progress: MapRunProgress) => void;
}

/** The children that ran (by index; unstarted ones are absent) and whether the tolerance was exceeded. */
export interface MapRunOutcome {
  readonly outcomes: ChildOutcome[];
  readonly exceeded: boolean;
  readonly progress: MapRunProgress;
}

/**
 * Run a Map Run's child executions, `concurrency` at a time, in index order. Once the failed
 * items exceed the tolerance no further child is started (those in flight finish, as on AWS),
 * and the run reports `exceeded`.
 */
export async function runChildren(inputs: readonly Json[], itemCounts: readonly number[], options: RunChildrenOptions): Promise<MapRunOutcome> {
  const totalItems = itemCounts.reduce((sum, n) => sum + n, 0);
  const outcomes: ChildOutcome[] = [];
  let next = 0;
  let doneItems = 0;
  let failedItems = 0;
  let exceeded = false;
  const lane = async (): Promise<void> => {
    while (!exceeded && next < inputs.length) {
      const index = next++;
      const input = inputs[index]!;
      const startDate = new Date();
      let outcome: ChildOutcome;
      try {
        const output = await options.runChild(input, index);
        outcome = { index, input, status: 'SUCCEEDED', output, startDate, stopDate: new Date() };
      } catch (error) {
        const failure = executionFailure(error);
        outcome = { index, input, status: 'FAILED', error: { Error: failure.name, Cause: failure.message }, startDate, stopDate: new Date() };
        failedItems += itemCounts[index]!;
        exceeded ||= exceedsTolerance(options.tolerance, failedItems, totalItems);
      }
      doneItems += itemCounts[index]!;
      outcomes.push(outcome);
      options.onSettled?.(outcome, { doneItems, failedItems, totalItems });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, inputs.length)) }, lane));
  outcomes.sort((a, b) => a.index - b.index);
  return { outcomes, exceeded, progress: { doneItems, failedItems, totalItems } };
}
