import { randomUUID } from 'node:crypto';
import type { AslDefinition, AslState, Json } from './asl.js';
import { executionFailure, StatesError } from './asl.js';
import { runDistributedMap } from './distributed-map/run-distributed-map.js';
import type { BucketStores } from './distributed-map/read-items.js';
import { rewriteDistributedMaps } from './distributed-map/rewrite.js';
import { TemplateEvaluator } from './evaluate-template.js';
import type { Interpreter } from './load-interpreter.js';
import type { LocalRunEvent } from './run-events.js';

/** The Lambda service, locally: run the function behind an ARN on a payload. */
export type LambdaInvoker = (functionArn: string, payload: Json) => Promise<Json>;

/** Options of {@link runMachine}. */
export interface LocalMachineOptions {
  readonly interpreter: Interpreter;
  readonly invokeLambda: LambdaInvoker;
  readonly buckets: BucketStores;
  /** Child executions of a Distributed Map run at once (the machine's parallelism). */
  readonly concurrency: number;
  /** The Context Object (`$$`): Execution and StateMachine names and ids. */
  readonly context: {
    readonly Execution: { readonly Name: string; readonly Id: string };
    readonly StateMachine: { readonly Name: string; readonly Id: string };
  };
  /** Retry pauses in ms by state name (tests); the definition's intervals otherwise. */
  readonly retryIntervalOverrides?: Record<string, number | number[]>;
  readonly onEvent?: (event: LocalRunEvent) => void;
  /**
   * Validate the definition (ASL schema, JSONPaths, ARNs) before running it. Costs 0.5–2 s per
   * definition, so a definition known to be valid (checked by a test) may skip it; each
   * definition object is validated at most once per process either way.
   */
  readonly validate?: boolean;
}

/** Definitions (by object) the interpreter has already validated in this process. */
const validated = new WeakSet<object>();

const LAMBDA_INVOKE = /^arn:[a-z-]+:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:[a-z-]+:lambda:/;

/**
 * Run an ASL definition on aws-local-stepfunctions: Distributed Maps replaced by our shim (which
 * runs each child execution through this same function), every Lambda task handed to
 * `invokeLambda`, and everything else — paths, Parameters, ResultSelector, Retry, Catch, Choice,
 * Fail — interpreted as written. Resolves to the execution's output; rejects with a StatesError
 * carrying the execution's Error and Cause.
 */
export async function runMachine(definition: AslDefinition, input: Json, options: LocalMachineOptions, depth = 0): Promise<Json> {
  const { definition: rewritten, maps } = rewriteDistributedMaps(definition);
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  const evaluate = new TemplateEvaluator(options.interpreter, options.context);
  for (const [name, state] of Object.entries(rewritten.States)) {
    const map = maps.get(name);
    if (map !== undefined) handlers[name] = (mapInput) => runMap(name, map, mapInput, evaluate, options, depth);
    else if (state.Type === 'Task') handlers[name] = lambdaTaskHandler(name, state, options.invokeLambda);
  }
  const validate = (options.validate ?? true) && !validated.has(definition);
  const machine = new options.interpreter.StateMachine(rewritten as never, {
    validationOptions: validate ? { checkArn: true, checkPaths: true } : { noValidate: true },
  });
  validated.add(definition);
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
    },
    context: options.context,
  });
  void forwardEvents(execution.eventLogs, depth, options.onEvent);
  try {
    return (await execution.result) as Json;
  } catch (error) {
    const failure = executionFailure(error);
    throw new StatesError(failure.name, failure.message);
  }
}

/** A Lambda task: LambdaInvoke's `{FunctionName, Payload}` in, `{Payload, StatusCode}` out, as the service integration does. */
function lambdaTaskHandler(name: string, state: AslState, invoke: LambdaInvoker): (input: Json) => Promise<Json> {
  const resource = String(state.Resource);
  if (LAMBDA_INVOKE.test(resource)) {
    return async (input) => {
      const { FunctionName, Payload } = input as { FunctionName?: unknown; Payload?: Json };
      if (typeof FunctionName !== 'string') throw new StatesError('States.Runtime', `${name}: LambdaInvoke without a FunctionName`);
      return { ExecutedVersion: '$LATEST', Payload: await invokeAsLambda(invoke, FunctionName, Payload ?? null), StatusCode: 200 };
    };
  }
  if (LAMBDA_FUNCTION.test(resource)) return (input) => invokeAsLambda(invoke, resource, input);
  throw new StatesError('States.Runtime', `state ${name}: resource ${resource} has no local implementation (Lambda tasks and Distributed Maps only)`);
}

/** A function error surfaces as Lambda reports it: Error = its name, Cause = `{"errorType","errorMessage","trace"}`. */
async function invokeAsLambda(invoke: LambdaInvoker, functionArn: string, payload: Json): Promise<Json> {
  try {
    return await invoke(functionArn, payload);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const trace = (e.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
    throw new StatesError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message, trace }));
  }
}

/** The ItemProcessor of each Map state as a definition of its own (one object per state, so it is validated once). */
const processors = new WeakMap<AslState, AslDefinition>();

function processorOf(state: AslState): AslDefinition {
  let processor = processors.get(state);
  if (processor === undefined) {
    const { StartAt, States } = state.ItemProcessor as AslDefinition;
    processor = { StartAt, States };
    processors.set(state, processor);
  }
  return processor;
}

function runMap(name: string, state: AslState, input: Json, evaluate: TemplateEvaluator, options: LocalMachineOptions, depth: number): Promise<Json> {
  const processor = processorOf(state);
  const mapRunId = randomUUID();
  const machineArn = options.context.StateMachine.Id;
  const label = typeof state.Label === 'string' ? state.Label : name;
  const identity = {
    mapRunId,
    mapRunArn: `${machineArn.replace(':stateMachine:', ':mapRun:')}/${label}:${mapRunId}`,
    stateMachineArn: `${machineArn}/${label}`,
    executionArn: (index: number) => `${machineArn.replace(':stateMachine:', ':execution:')}/${label}:${mapRunId}-${index}`,
  };
  return runDistributedMap(state, input, {
    evaluate,
    buckets: options.buckets,
    concurrency: options.concurrency,
    identity,
    runChild: (childInput, index) => {
      const childName = identity.executionArn(index).split(':').pop()!;
      const context = { ...options.context, Execution: { Name: childName, Id: identity.executionArn(index) } };
      return runMachine(processor, childInput, { ...options, context }, depth + 1);
    },
    onProgress: (progress) => options.onEvent?.({ kind: 'map', state: name, progress }),
  });
}

const PHASES = { StateEntered: 'entered', StateExited: 'exited', StateFailed: 'failed', StateRetried: 'retried', StateCaught: 'caught' } as const;

/** The interpreter's event log as our events (child machines report only failures and retries). */
async function forwardEvents(logs: AsyncGenerator<unknown>, depth: number, onEvent: LocalMachineOptions['onEvent']): Promise<void> {
  try {
    for await (const raw of logs) {
      const event = raw as { type: string; state?: { name: string; type: string }; Error?: string; Cause?: unknown };
      const phase = PHASES[event.type as keyof typeof PHASES];
      if (phase === undefined || event.state === undefined || onEvent === undefined) continue;
      if (depth > 0 && phase !== 'failed' && phase !== 'retried') continue;
      onEvent({
        kind: 'state',
        phase,
        state: event.state.name,
        type: event.state.type,
        depth,
        ...(event.Error ? { error: event.Error, cause: String(event.Cause ?? '') } : {}),
      });
    }
  } catch {
    // Progress is best effort: a broken event log must not fail the run.
  }
}
