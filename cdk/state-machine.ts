import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { PipelineFunctions } from './pipeline-functions.js';

/** Error names our use-cases throw on purpose (lib/core/errors.ts); only the first is retried. */
export const TRANSIENT_ERRORS = ['StorageTransient'];

/**
 * CDK 2.276 leaves `ToleratedFailurePercentage` out of the ASL when it is 0 (a falsy check). The
 * service default is also 0, but the design wants the choice written in the definition.
 */
class ZeroToleranceDistributedMap extends sfn.DistributedMap {
  override toStateJson(queryLanguage?: sfn.QueryLanguage): object {
    return { ...super.toStateJson(queryLanguage), ToleratedFailurePercentage: 0 };
  }
}

/** Tuning of the tokenize fan-out. */
export const TOKENIZE_MAP = { maxConcurrency: 64, maxItemsPerBatch: 4 } as const;

/**
 * Prepare → Distributed Map (Tokenize, batched, items read from the run's chunks.json) →
 * MergeIndex → PlanShards → Summary → Succeed; any caught error goes to Fail. States pass object
 * keys and counts only: the 256 KiB state payload limit never meets data.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: { bucket: s3.IBucket; functions: PipelineFunctions }) {
    super(scope, id);
    const { bucket, functions } = props;
    const failed = new sfn.Fail(this, 'PipelineFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const invoke = (name: string, fn: lambda.IFunction, options: Partial<tasks.LambdaInvokeProps>) => {
      const task = new tasks.LambdaInvoke(this, name, { lambdaFunction: fn, retryOnServiceExceptions: true, ...options });
      task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2 });
      return task;
    };
    const runRef = { 'datasetPrefix.$': '$.datasetPrefix', 'runPrefix.$': '$.runPrefix' };

    const prepare = invoke('Prepare', functions.prepare, {
      // The execution input is the S3 Object Created event; the execution name is the run id.
      payload: sfn.TaskInput.fromObject({ 'datasetKey.$': '$.detail.object.key', 'runId.$': '$$.Execution.Name' }),
      outputPath: '$.Payload',
    });
    const tokenizeBatch = invoke('Tokenize', functions.tokenize, {
      resultSelector: { 'chunks.$': '$.Payload.chunks', 'samples.$': '$.Payload.samples' },
    });
    const tokenizeAll = new ZeroToleranceDistributedMap(this, 'TokenizeChunks', {
      itemReader: new sfn.S3JsonItemReader({ bucket, key: sfn.JsonPath.stringAt('$.chunksKey') }),
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: TOKENIZE_MAP.maxItemsPerBatch, batchInput: runRef }),
      maxConcurrency: TOKENIZE_MAP.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultWriterV2: new sfn.ResultWriterV2({ bucket, prefix: 'map-results' }),
      // The map's result is where ResultWriter put the children's results, not the results.
      resultPath: '$.tokenizeResults',
    });
    tokenizeAll.itemProcessor(tokenizeBatch);
    const mergeIndex = invoke('MergeIndex', functions.mergeIndex, {
      payload: sfn.TaskInput.fromObject(runRef),
      resultSelector: { 'indexKey.$': '$.Payload.indexKey', 'samples.$': '$.Payload.samples', 'duplicates.$': '$.Payload.duplicates' },
      resultPath: '$.index',
    });
    const planShards = invoke('PlanShards', functions.planShards, {
      payload: sfn.TaskInput.fromObject(runRef),
      resultSelector: { 'manifestKey.$': '$.Payload.manifestKey', 'runFingerprint.$': '$.Payload.runFingerprint', 'epochs.$': '$.Payload.epochs' },
      resultPath: '$.plan',
    });
    const summary = new sfn.Pass(this, 'Summary', {
      parameters: {
        'runPrefix.$': '$.runPrefix',
        'chunks.$': '$.chunks',
        'indexKey.$': '$.index.indexKey',
        'samples.$': '$.index.samples',
        'planManifestKey.$': '$.plan.manifestKey',
        'runFingerprint.$': '$.plan.runFingerprint',
      },
    });
    for (const step of [prepare, tokenizeAll, mergeIndex, planShards]) step.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
    const definition = prepare.next(tokenizeAll).next(mergeIndex).next(planShards).next(summary).next(new sfn.Succeed(this, 'Done'));

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
