import { InvalidInputError } from '../lib/core/errors.js';

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
