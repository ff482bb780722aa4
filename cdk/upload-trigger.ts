import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STATE_MACHINE_ENV } from '../lambdas/env.js';
import { pipelineBundling } from './lambda-bundling.js';
import { lambdaEntry, PIPELINE_RUNTIME } from './pipeline-functions.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The upload trigger: an EventBridge rule on the bucket's `…/dataset.json` uploads invokes a small
 * Lambda that names the execution by the upload and starts it (lambdas/trigger). It is not a state
 * of the pipeline and not in the task table: it starts the state machine, and may do nothing else
 * (states:StartExecution on this one state machine).
 */
export class UploadTrigger extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { readonly bucket: s3.IBucket; readonly stateMachine: sfn.IStateMachine }) {
    super(scope, id);
    const bundling = pipelineBundling(PROJECT_ROOT);
    this.function = new NodejsFunction(this, 'TriggerFn', {
      entry: lambdaEntry('trigger'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: PIPELINE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Throttled StartExecution calls are retried with backoff for up to ~15 s (lib/io/retry-transient.ts).
      timeout: Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      environment: { [STATE_MACHINE_ENV]: props.stateMachine.stateMachineArn, POWERTOOLS_SERVICE_NAME: 'megashard' },
      // The trigger reads no tokenizer: none of the runtime files the task functions get are copied.
      bundling: { ...bundling, commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: () => [] } },
    });
    props.stateMachine.grantStartExecution(this.function);
    this.rule = new events.Rule(this, 'OnDatasetUploaded', {
      description: 'Start a run when a dataset.json is uploaded under datasets/ (the trigger ignores other keys)',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucket.bucketName] }, object: { key: [{ suffix: '/dataset.json' }] } },
      },
      // Invoked asynchronously: a call that fails (Step Functions still throttling after our retries) is retried twice by Lambda.
      targets: [new targets.LambdaFunction(this.function)],
    });
  }
}
