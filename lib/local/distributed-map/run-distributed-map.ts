import type { AslState, Json } from '../asl.js';
import { causeMessage, StatesError } from '../asl.js';
import type { TemplateEvaluator } from '../evaluate-template.js';
import { batchMapItems } from './batch-items.js';
import { resolveFailureTolerance } from './failure-tolerance.js';
import { readMapItems, type BucketStores } from './read-items.js';
import { writeMapRunResults, type MapRunIdentity } from './result-writer.js';
import { runChildren, type MapRunOutcome, type MapRunProgress } from './run-children.js';

/** What running one Distributed Map needs from the local runner. */
export interface DistributedMapContext {
  readonly evaluate: TemplateEvaluator;
  readonly buckets: BucketStores;
  /** Child executions the machine can run at once (worker threads); MaxConcurrency may lower it. */
  readonly concurrency: number;
  readonly identity: MapRunIdentity;
  /** Run the ItemProcessor on one child's input (the runner runs it as a state machine). */
  readonly runChild: (input: Json, index: number) => Promise<Json>;
  readonly onProgress?: (progress: MapRunProgress) => void;
}

/**
 * A Distributed Map, field by field as AWS runs it: items from the ItemReader (or ItemsPath), each
 * shaped by ItemSelector, grouped by ItemBatcher, run as child executions at most MaxConcurrency at
 * a time, results written by ResultWriter; then, if failed items exceed ToleratedFailurePercentage
 * or ToleratedFailureCount, the state fails with States.ExceedToleratedFailureThreshold (its Cause
 * names the first failed child and its error, which AWS keeps in the Map Run instead).
 */
export async function runDistributedMap(state: AslState, input: Json, context: DistributedMapContext): Promise<Json> {
  const items = await readMapItems(state, input, context.evaluate, context.buckets);
  const selected = await selectItems(state, items, input, context.evaluate);
  const { inputs, itemCounts } = await batchMapItems(state, selected, input, context.evaluate);
  const tolerance = await resolveFailureTolerance(state, input, context.evaluate);
  const maxConcurrency = typeof state.MaxConcurrencyPath === 'string' ? await context.evaluate.path(state.MaxConcurrencyPath, input) : state.MaxConcurrency;
  // MaxConcurrency 0 (or unset) means "as many as possible": here, as many as the machine runs at once.
  const concurrency = typeof maxConcurrency === 'number' && maxConcurrency > 0 ? Math.min(maxConcurrency, context.concurrency) : context.concurrency;
  context.onProgress?.({ doneItems: 0, failedItems: 0, totalItems: selected.length });
  const run = await runChildren(inputs, itemCounts, {
    concurrency,
    tolerance,
    runChild: context.runChild,
    onSettled: (_outcome, progress) => context.onProgress?.(progress),
  });
  const result = await writeMapRunResults(state, run.outcomes, input, context);
  if (run.exceeded) throw new StatesError('States.ExceedToleratedFailureThreshold', describeFailure(run, itemCounts));
  return result;
}

/** ItemSelector (or the older Parameters) applied to each item, with `$$.Map.Item` set as on AWS. */
async function selectItems(state: AslState, items: Json[], input: Json, evaluate: TemplateEvaluator): Promise<Json[]> {
  const selector = (state.ItemSelector ?? state.Parameters) as Json | undefined;
  if (selector === undefined) return items;
  const selected: Json[] = [];
  for (const [index, item] of items.entries()) {
    selected.push(await evaluate.withContext({ Map: { Item: { Index: index, Value: item } } }).template(selector, input));
  }
  return selected;
}

function describeFailure(run: MapRunOutcome, itemCounts: readonly number[]): string {
  const { failedItems, totalItems } = run.progress;
  const first = run.outcomes.find((outcome) => outcome.status === 'FAILED');
  const start = itemCounts.slice(0, first?.index ?? 0).reduce((sum, n) => sum + n, 0);
  const items = first === undefined ? '' : itemCounts[first.index]! > 1 ? `items ${start}–${start + itemCounts[first.index]! - 1}` : `item ${start}`;
  const firstFailure = first?.error === undefined ? '' : `; first failure, ${items}: ${first.error.Error}: ${causeMessage(first.error.Cause)}`;
  return `The specified tolerated failure threshold was exceeded: ${failedItems} of ${totalItems} items failed${firstFailure}`;
}
