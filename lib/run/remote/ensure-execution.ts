import { ExecutionAlreadyExistsError } from '../../core/errors.js';
import { executionNameOf, type UploadedObject } from '../../core/pipeline/execution-name.js';
import { executionArnOf } from '../../core/pipeline/state-machine-arn.js';
import { executionInputOf } from '../../core/pipeline/upload-event.js';
import type { StepFunctions } from '../../io/step-functions.js';
import type { RemoteTarget } from './remote-target.js';

/** The execution of an upload, and whether this call started it or found it started. */
export interface EnsuredExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly action: 'started' | 'attached';
}

/**
 * The one execution of an upload, started at most once whoever gets there first: its name comes
 * from the upload (the trigger computes the same), so if the trigger already started it this finds
 * it, and if this starts it the trigger's StartExecution is refused (ExecutionAlreadyExists). A
 * start that loses that race is an attach, not an error.
 */
export async function ensureExecution(sfn: StepFunctions, target: RemoteTarget, upload: UploadedObject): Promise<EnsuredExecution> {
  const name = executionNameOf(upload);
  const executionArn = executionArnOf(target.stateMachine, name);
  if ((await sfn.describeExecution(executionArn)) !== undefined) return { executionArn, name, action: 'attached' };
  try {
    const started = await sfn.startExecution({ stateMachineArn: target.stateMachine.arn, name, input: executionInputOf(upload), executionArn });
    return { executionArn: started.executionArn, name, action: 'started' };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExistsError) return { executionArn, name, action: 'attached' };
    throw error;
  }
}
