import type { AslState, Json } from '../asl.js';
import type { TemplateEvaluator } from '../evaluate-template.js';

/** How many failed items a Map Run tolerates before it fails. */
export interface FailureTolerance {
  /** Fails when failed items × 100 / all items exceeds this. */
  readonly percentage: number;
  /** Fails when failed items exceed this. */
  readonly count: number;
}

/**
 * The Map's tolerance (ToleratedFailurePercentage/Count and their Path forms). Unset fields do not
 * limit; with neither set, no failure is tolerated (the service's default).
 */
export async function resolveFailureTolerance(state: AslState, input: Json, evaluate: TemplateEvaluator): Promise<FailureTolerance> {
  const read = async (field: string): Promise<number | undefined> => {
    const path = state[`${field}Path`];
    const value = typeof path === 'string' ? await evaluate.path(path, input) : state[field];
    return typeof value === 'number' ? value : undefined;
  };
  const percentage = await read('ToleratedFailurePercentage');
  const count = await read('ToleratedFailureCount');
  if (percentage === undefined && count === undefined) return { percentage: 0, count: 0 };
  return { percentage: percentage ?? 100, count: count ?? Number.POSITIVE_INFINITY };
}

/** Whether `failedItems` of `totalItems` exceed the tolerance (a failed batch counts all its items). */
export function exceedsTolerance(tolerance: FailureTolerance, failedItems: number, totalItems: number): boolean {
  if (failedItems === 0) return false;
  return failedItems > tolerance.count || (failedItems * 100) / totalItems > tolerance.percentage;
}
