import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET_ENV } from '../lambdas/env.js';
import type { PipelineTaskName } from '../lib/run/pipeline/task-names.js';
import { pipelineBundling } from './lambda-bundling.js';
import { TASK_SIZING } from './task-sizing.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda runtime of every function: the newest Node.js runtime aws-cdk-lib 2.276 knows. */
export const PIPELINE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What a function may do to the bucket: read datasets, read and write its run's objects. */
interface BucketAccess {
  readonly readDatasets: boolean;
  readonly readRuns: boolean;
  readonly writeRuns: boolean;
}

/** The Lambdas of the pipeline, each with only the S3 actions its use-case performs. */
export class PipelineFunctions extends Construct {
  readonly prepare: NodejsFunction;
  readonly tokenize: NodejsFunction;
  readonly mergeIndex: NodejsFunction;
  readonly planShards: NodejsFunction;
  readonly writeShards: NodejsFunction;
  readonly finishShards: NodejsFunction;
  readonly audit: NodejsFunction;
  readonly completeRun: NodejsFunction;

  constructor(scope: Construct, id: string, bucket: s3.IBucket) {
    super(scope, id);
    const bundling = pipelineBundling(PROJECT_ROOT);
    const make = (name: PipelineTaskName, folder: string, access: BucketAccess) => {
      const sizing = TASK_SIZING[name];
      // Ids end in `Fn`: the state machine's tasks use the bare names in the same stack.
      const fn = new NodejsFunction(this, `${name}Fn`, {
        entry: path.join(PROJECT_ROOT, 'lambdas', folder, 'handler.ts'),
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        runtime: PIPELINE_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: sizing.memoryMb,
        timeout: sizing.timeout,
        tracing: lambda.Tracing.ACTIVE,
        environment: { [BUCKET_ENV]: bucket.bucketName },
        bundling,
      });
      grantBucketAccess(fn, bucket, access);
      return fn;
    };
    // Prepare reads runs/ to find a completed run of the same inputs; Tokenize to skip chunks a retry finds done.
    this.prepare = make('Prepare', 'prepare', { readDatasets: true, readRuns: true, writeRuns: true });
    this.tokenize = make('Tokenize', 'tokenize', { readDatasets: true, readRuns: true, writeRuns: true });
    this.mergeIndex = make('MergeIndex', 'merge-index', { readDatasets: true, readRuns: true, writeRuns: true });
    this.planShards = make('PlanShards', 'plan-shards', { readDatasets: true, readRuns: true, writeRuns: true });
    // The shard steps read only the run (plan, index, tokens, shards) and write under it: no dataset access.
    this.writeShards = make('WriteShards', 'write-shards', { readDatasets: false, readRuns: true, writeRuns: true });
    this.finishShards = make('FinishShards', 'finish-shards', { readDatasets: false, readRuns: true, writeRuns: true });
    this.audit = make('Audit', 'audit', { readDatasets: false, readRuns: true, writeRuns: true });
    this.completeRun = make('CompleteRun', 'complete-run', { readDatasets: false, readRuns: true, writeRuns: true });
  }

  /** Every function, for checks that apply to all. */
  all(): NodejsFunction[] {
    return Object.values(this.byTask());
  }

  /** The function of each task of the state machine, by task (state) name. */
  byTask(): Record<PipelineTaskName, NodejsFunction> {
    return { Prepare: this.prepare, Tokenize: this.tokenize, MergeIndex: this.mergeIndex, PlanShards: this.planShards, WriteShards: this.writeShards, FinishShards: this.finishShards, Audit: this.audit, CompleteRun: this.completeRun };
  }
}

/** Object-level grants on the two prefixes, spelled out rather than `grantReadWrite` (no deletes, no ACLs). */
function grantBucketAccess(fn: NodejsFunction, bucket: s3.IBucket, access: BucketAccess): void {
  const reads = [access.readDatasets && bucket.arnForObjects('datasets/*'), access.readRuns && bucket.arnForObjects('runs/*')].filter((r) => r !== false);
  if (reads.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: reads }));
  if (access.writeRuns) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('runs/*')] }));
  // Without ListBucket a missing key answers 403 instead of 404, and ObjectNotFound would read as StorageFailed.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
}
