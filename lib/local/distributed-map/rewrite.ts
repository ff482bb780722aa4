import type { AslDefinition, AslState } from '../asl.js';

/** Resource of the Task that stands in for a Distributed Map (run by our shim, not the interpreter). */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::megashard-local:distributedMap';

/**
 * The longest timer Node allows (2^31 − 1 ms). A Map state has no timeout of its own, but the
 * interpreter gives every Task one (60 s by default), so the stand-in gets the longest possible.
 */
const NO_TIMEOUT_SECONDS = 2_147_483;

/** Fields a Distributed Map shares with a Task: how its input and output are shaped, Retry, Catch, transition. */
const TASK_FIELDS = ['Comment', 'InputPath', 'ResultPath', 'ResultSelector', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'] as const;

/** Whether a state is a Map in DISTRIBUTED mode. */
export function isDistributedMap(state: AslState): boolean {
  const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
  return state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** A definition with every top-level Distributed Map replaced, and the replaced states by name. */
export interface RewrittenDefinition {
  readonly definition: AslDefinition;
  readonly maps: ReadonlyMap<string, AslState>;
}

/**
 * aws-local-stepfunctions runs a Distributed Map as an inline one, ignoring ItemReader, ItemBatcher,
 * the failure tolerance and ResultWriter. So each is replaced by a Task of the same name, input and
 * output processing, Retry and Catch, whose local handler is our implementation of those fields;
 * everything else in the definition is left to the interpreter exactly as written.
 */
export function rewriteDistributedMaps(definition: AslDefinition): RewrittenDefinition {
  const maps = new Map<string, AslState>();
  const states: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (!isDistributedMap(state)) {
      states[name] = state;
      continue;
    }
    maps.set(name, state);
    const task: Record<string, unknown> = { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, TimeoutSeconds: NO_TIMEOUT_SECONDS };
    for (const field of TASK_FIELDS) if (state[field] !== undefined) task[field] = state[field];
    states[name] = task as AslState;
  }
  return { definition: { ...definition, States: states }, maps };
}
