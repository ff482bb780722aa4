import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET_ENV } from '../lambdas/env.js';
import { PIPELINE_TASK_NAMES, PIPELINE_TASKS, type PipelineTaskName, type TaskAccess } from '../lib/run/pipeline/task-table.js';
import { pipelineBundling } from './lambda-bundling.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda runtime of every function: the newest Node.js runtime aws-cdk-lib 2.276 knows. */
export const PIPELINE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The Lambdas of the pipeline: one per row of the task table (lib/run/pipeline/task-table.ts),
 * each with its row's memory, timeout and only the S3 actions its row grants.
 */
export class PipelineFunctions extends Construct {
  private readonly functions: Record<PipelineTaskName, NodejsFunction>;

  constructor(scope: Construct, id: string, bucket: s3.IBucket) {
    super(scope, id);
    const bundling = pipelineBundling(PROJECT_ROOT);
    const make = (name: PipelineTaskName) => {
      const { folder, sizing, access } = PIPELINE_TASKS[name];
      // Ids end in `Fn`: the state machine's tasks use the bare names in the same stack.
      const fn = new NodejsFunction(this, `${name}Fn`, {
        entry: lambdaEntry(folder),
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        runtime: PIPELINE_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: sizing.memoryMb,
        timeout: Duration.seconds(sizing.timeoutSeconds),
        tracing: lambda.Tracing.ACTIVE,
        environment: { [BUCKET_ENV]: bucket.bucketName, POWERTOOLS_SERVICE_NAME: 'megashard' },
        bundling,
      });
      grantBucketAccess(fn, bucket, access);
      return fn;
    };
    this.functions = Object.fromEntries(PIPELINE_TASK_NAMES.map((name) => [name, make(name)])) as Record<PipelineTaskName, NodejsFunction>;
  }

  /** The function of one task. */
  of(task: PipelineTaskName): NodejsFunction {
    return this.functions[task];
  }

  /** Every function, for checks that apply to all. */
  all(): NodejsFunction[] {
    return PIPELINE_TASK_NAMES.map((task) => this.functions[task]);
  }

  /** The function of each task of the state machine, by task (state) name. */
  byTask(): Record<PipelineTaskName, NodejsFunction> {
    return { ...this.functions };
  }
}

/** The entry point of a task's Lambda: `lambdas/<folder>/handler.ts`. */
export function lambdaEntry(folder: string): string {
  return path.join(PROJECT_ROOT, 'lambdas', folder, 'handler.ts');
}

/** Object-level grants on the two prefixes, spelled out rather than `grantReadWrite` (deletes only of `work/`, no ACLs). */
function grantBucketAccess(fn: NodejsFunction, bucket: s3.IBucket, access: TaskAccess): void {
  const reads = [access.readDatasets && bucket.arnForObjects('datasets/*'), access.readRuns && bucket.arnForObjects('runs/*')].filter((r) => r !== false);
  if (reads.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: reads }));
  if (access.writeRuns) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('runs/*')] }));
  // Only a run's intermediates (routed objects, audit digests) are ever deleted, by the step that consumed them.
  if (access.deleteWork) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [bucket.arnForObjects('runs/*/work/*')] }));
  // Without ListBucket a missing key answers 403 instead of 404, and ObjectNotFound would read as StorageFailed.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
}
