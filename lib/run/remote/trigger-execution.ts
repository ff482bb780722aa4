/**
 * The upload trigger: an S3 "Object Created" event for `datasets/<name>/dataset.json` starts the
 * pipeline's execution for that upload, named by the upload (lib/core/pipeline/execution-name.ts).
 * EventBridge delivers at least once, and `run --on aws` may start the same execution: a name
 * already used means the upload's run was started, which is success, logged.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { ExecutionAlreadyExistsError } from '../../core/errors.js';
import { executionNameOf } from '../../core/pipeline/execution-name.js';
import { executionArnOf, parseStateMachineArn } from '../../core/pipeline/state-machine-arn.js';
import { executionInputOf, isDatasetUploadKey, uploadOfEvent } from '../../core/pipeline/upload-event.js';
import type { StepFunctions } from '../../io/step-functions.js';

/** What the trigger did with one event (the Lambda's result, and its log line). */
export const triggerResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ignored'), key: z.string(), reason: z.string() }).strict(),
  z.object({ status: z.enum(['started', 'already-started']), key: z.string(), execution: z.string(), executionArn: z.string() }).strict(),
]);

/** What the trigger did with one event. */
export type TriggerResult = z.infer<typeof triggerResultSchema>;

/** What the trigger needs: Step Functions, the state machine (read when called), a logger. */
export interface TriggerDependencies {
  readonly sfn: StepFunctions;
  readonly stateMachineArn: () => string;
  readonly logger: Pick<Logger, 'info'>;
}

/** The trigger's handler: event in, what it did out. A malformed event throws InvalidInput naming the field. */
export function createTriggerHandler(deps: TriggerDependencies): (event: unknown) => Promise<TriggerResult> {
  return async (event) => {
    const upload = uploadOfEvent(event);
    if (!isDatasetUploadKey(upload.key)) {
      const result: TriggerResult = { status: 'ignored', key: upload.key, reason: 'not a datasets/<name>/dataset.json upload' };
      deps.logger.info('upload ignored', result);
      return result;
    }
    const machine = parseStateMachineArn(deps.stateMachineArn(), 'MEGASHARD_STATE_MACHINE_ARN');
    const name = executionNameOf(upload);
    const executionArn = executionArnOf(machine, name);
    let result: TriggerResult;
    try {
      const started = await deps.sfn.startExecution({ stateMachineArn: machine.arn, name, input: executionInputOf(upload), executionArn });
      result = { status: 'started', key: upload.key, execution: name, executionArn: started.executionArn };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExistsError)) throw error;
      // A duplicated event, or `run --on aws` got there first: the upload's run is under way.
      result = { status: 'already-started', key: upload.key, execution: name, executionArn };
    }
    deps.logger.info(result.status === 'started' ? 'execution started' : 'execution already started', result);
    return result;
  };
}
