import type { AslDefinition, Json } from './asl.js';
import { executionFailure, StatesError } from './asl.js';
import type { Interpreter } from './load-interpreter.js';

/**
 * JSONPath and payload templates (`"key.$": "$.path"`) evaluated by the interpreter itself, in a
 * one-state Pass machine, so the fields we implement around it (ItemReader parameters, BatchInput)
 * follow exactly the same rules as every other state.
 */
export class TemplateEvaluator {
  constructor(
    private readonly interpreter: Interpreter,
    /** The execution's Context Object (`$$`). */
    private readonly context: Record<string, unknown>,
  ) {}

  /** The same evaluator with more Context Object fields (e.g. `Map.Item` while selecting items). */
  withContext(extra: Record<string, unknown>): TemplateEvaluator {
    return new TemplateEvaluator(this.interpreter, { ...this.context, ...extra });
  }

  /** A payload template applied to `input`. */
  async template(template: Json, input: Json): Promise<Json> {
    const definition: AslDefinition = { StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', Parameters: template, End: true } } };
    const machine = new this.interpreter.StateMachine(definition as never, { validationOptions: { noValidate: true } });
    try {
      return (await machine.run(input, { context: this.context }).result) as Json;
    } catch (error) {
      const failure = executionFailure(error);
      throw new StatesError(failure.name, failure.message);
    }
  }

  /** The value a JSONPath selects from `input`. */
  async path(path: string, input: Json): Promise<Json> {
    const result = (await this.template({ 'value.$': path }, input)) as { value: Json };
    return result.value;
  }
}
