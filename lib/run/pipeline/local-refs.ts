import { PIPELINE_TASK_NAMES, type PipelineTaskName } from './task-table.js';

/**
 * The stand-ins the local definition is rendered with: CDK needs a function ARN and a bucket name
 * to render the same ASL it deploys; locally the ARN only tells which handler runs the task, and
 * the bucket name stands for the run's store root.
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_BUCKET = 'megashard-local';

/** The stub ARN of a task's function. */
export function localFunctionArn(task: PipelineTaskName): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:megashard-local-${task}`;
}

/** The task a stub ARN stands for, or undefined for any other ARN. */
export function taskOfLocalArn(arn: unknown): PipelineTaskName | undefined {
  return PIPELINE_TASK_NAMES.find((task) => localFunctionArn(task) === arn);
}
