import { InvalidInputError } from '../lib/core/errors.js';
import { REMOTE_ENV } from '../lib/run/remote/remote-target.js';

/** Environment variable naming the pipeline's bucket (set by the stack on every function). */
export const BUCKET_ENV = 'MEGASHARD_BUCKET';

/** The pipeline's bucket name; a missing variable is a deployment bug, reported by its name. */
export function dataBucketName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[BUCKET_ENV];
  if (name === undefined || name === '') {
    throw new InvalidInputError(BUCKET_ENV, 'is not set; deploy the function with the PipelineStack, which sets it to the data bucket');
  }
  return name;
}

/** Environment variable naming the state machine the upload trigger starts (set by the stack on the trigger). */
export const STATE_MACHINE_ENV = REMOTE_ENV.stateMachineArn;

/** The pipeline's state machine ARN; a missing variable is a deployment bug, reported by its name. */
export function stateMachineArn(env: NodeJS.ProcessEnv = process.env): string {
  const arn = env[STATE_MACHINE_ENV];
  if (arn === undefined || arn === '') {
    throw new InvalidInputError(STATE_MACHINE_ENV, 'is not set; deploy the trigger with the PipelineStack, which sets it to the state machine ARN');
  }
  return arn;
}
