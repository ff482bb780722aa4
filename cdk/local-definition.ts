import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LOCAL_ACCOUNT, LOCAL_BUCKET, LOCAL_REGION, localFunctionArn } from '../lib/run/pipeline/local-refs.js';
import { PIPELINE_TASK_NAMES } from '../lib/run/pipeline/task-table.js';
import { buildPipelineDefinition, RESULT_WRITER_V2_FLAG, type PipelineFunctionRefs } from './state-machine.js';

/**
 * The pipeline's ASL as the deployed stack has it, rendered by the same construct code with stub
 * references (function ARNs from `localFunctionArn`, bucket `LOCAL_BUCKET`) in a throwaway stack:
 * no bundling, no credentials, no network. Intrinsics left by CDK (the partition) are resolved to
 * the stub environment's values.
 */
export function renderLocalPipelineDefinition(): Record<string, unknown> {
  const app = new App({ context: { [RESULT_WRITER_V2_FLAG]: true } });
  const stack = new Stack(app, 'MegashardLocal', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const functions = Object.fromEntries(
    PIPELINE_TASK_NAMES.map((task) => [task, lambda.Function.fromFunctionArn(stack, `${task}Stub`, localFunctionArn(task))]),
  ) as unknown as PipelineFunctionRefs;
  const bucket = s3.Bucket.fromBucketName(stack, 'BucketStub', LOCAL_BUCKET);
  const machine = new sfn.StateMachine(stack, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(buildPipelineDefinition(stack, { bucket, functions })),
  });
  const resolved = stack.resolve((machine.node.defaultChild as sfn.CfnStateMachine).definitionString);
  return JSON.parse(flattenIntrinsics(resolved)) as Record<string, unknown>;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A resolved CloudFormation string value (`Fn::Join` of strings and pseudo parameters) as text. */
function flattenIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flattenIntrinsics).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined && ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[ref]!;
  throw new Error(`the local definition refers to a deployed resource (${JSON.stringify(value)}); use a stub reference`);
}
