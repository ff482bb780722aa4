import { Logger } from '@aws-lambda-powertools/logger';
import { StepFunctions } from '../../lib/io/step-functions.js';
import { createTriggerHandler } from '../../lib/run/remote/trigger-execution.js';
import { stateMachineArn } from '../env.js';

/**
 * The upload trigger (not a state of the pipeline: it starts it): EventBridge's S3 Object Created
 * event → the upload's execution name → StartExecution (see lib/run/remote/trigger-execution.ts).
 * Client and logger at module scope: a warm Lambda reuses them.
 */
export const handler = createTriggerHandler({
  sfn: new StepFunctions(),
  stateMachineArn: () => stateMachineArn(),
  logger: new Logger({ serviceName: 'megashard' }),
});
