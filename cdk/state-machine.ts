import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { PIPELINE_TASKS, type PipelineTaskName, type TaskResult } from '../lib/run/pipeline/task-table.js';
import type { PipelineFunctions } from './pipeline-functions.js';

/** Error names our use-cases throw on purpose (lib/core/errors.ts); only the first is retried. */
export const TRANSIENT_ERRORS = ['StorageTransient'];

/** Feature flag without which CDK silently drops `resultWriterV2` from the ASL. */
export const RESULT_WRITER_V2_FLAG = '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2';

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
 * Tuning of the shard and audit fan-outs: Route one tokens file per call, Assemble and AuditPartial
 * one section (an epoch's rank range, sized by PlanShards from the dataset's tuning) per call.
 */
export const SHARD_MAPS = { maxConcurrency: 64 } as const;

/** The function behind every Lambda task of the pipeline, by task name. */
export type PipelineFunctionRefs = Readonly<Record<PipelineTaskName, lambda.IFunction>>;

/** What the definition refers to: the data bucket (ItemReader, ResultWriter) and the functions. */
export interface PipelineRefs {
  readonly bucket: s3.IBucket;
  readonly functions: PipelineFunctionRefs;
}

/**
 * The pipeline's states, built in `scope`: Prepare → (already complete? → Done) → Distributed Map
 * (Tokenize, batched, items read from the run's chunks.json) → MergeIndex → PlanShards →
 * Distributed Map (Route, one tokens file per item, from route-work.json) → Distributed Map
 * (Assemble, one section per item, from shard-work.json) → FinishShards → Distributed Map
 * (AuditPartial, the same sections) → Audit → CompleteRun → Done; any caught error goes to Fail. States pass object keys and counts only:
 * the 256 KiB state payload limit never meets data. The local runner renders this same function
 * with stub references (cdk/local-definition.ts), so adding a state here adds it in both places.
 */
export function buildPipelineDefinition(scope: Construct, refs: PipelineRefs): sfn.IChainable {
  const { bucket, functions } = refs;
  const failed = new sfn.Fail(scope, 'PipelineFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const invoke = (name: PipelineTaskName, options: Partial<tasks.LambdaInvokeProps>) => {
    const task = new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: functions[name],
      retryOnServiceExceptions: true,
      // The function's own timeout: a call that hangs fails as States.Timeout, locally too.
      taskTimeout: sfn.Timeout.duration(Duration.seconds(PIPELINE_TASKS[name].sizing.timeoutSeconds)),
      ...options,
    });
    task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2 });
    return task;
  };
  const runRef = { 'datasetPrefix.$': '$.datasetPrefix', 'runPrefix.$': '$.runPrefix' };
  // Diagnostics stay with their run (Prepare computes the prefix): runs/<run id>/map-results/.
  const resultWriter = new sfn.ResultWriterV2({ bucket, prefix: sfn.JsonPath.stringAt('$.mapResultsPrefix') });
  /**
   * A Distributed Map over the JSON array at the key in `itemsKeyPath`, writing its children's
   * results with ResultWriter; the map's own result (at `resultPath`) is where they went.
   */
  const fanOut = (id: string, processor: sfn.IChainable, itemsKeyPath: string, resultPath: string, props: Partial<sfn.DistributedMapProps>) =>
    new ZeroToleranceDistributedMap(scope, id, {
      itemReader: new sfn.S3JsonItemReader({ bucket, key: sfn.JsonPath.stringAt(itemsKeyPath) }),
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultWriterV2: resultWriter,
      resultPath,
      ...props,
    }).itemProcessor(processor);

  // The execution input is the S3 Object Created event; the run id is computed from the content.
  const execution = { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id' };
  const planSourceHashes = invoke('PlanSourceHashes', {
    payload: sfn.TaskInput.fromObject({ 'datasetKey.$': '$.detail.object.key', execution }),
    resultSelector: selectResult('PlanSourceHashes', ['datasetPrefix', 'stagePrefix', 'blocksKey', 'blocks', 'mapResultsPrefix']),
    resultPath: '$.sourceHashes',
  });
  // One block of one source per call: no call reads every byte of the corpus to name the run.
  const hashSource = invoke('HashSource', { resultSelector: selectResult('HashSource', ['source', 'block', 'bytes']) });
  const hashSources = fanOut('HashSources', hashSource, '$.sourceHashes.blocksKey', '$.hashSourcesResults', {
    itemSelector: {
      'datasetPrefix.$': '$.sourceHashes.datasetPrefix',
      'stagePrefix.$': '$.sourceHashes.stagePrefix',
      // arrayChunkBytes: a JSON-array block is also summarised for Prepare's chunk plan (null: not one).
      ...Object.fromEntries(['source', 'path', 'block', 'start', 'end', 'arrayChunkBytes'].map((field) => [`${field}.$`, `$$.Map.Item.Value.${field}`])),
    },
    // No run folder yet: the diagnostics go to the staging folder Prepare deletes.
    resultWriterV2: new sfn.ResultWriterV2({ bucket, prefix: sfn.JsonPath.stringAt('$.sourceHashes.mapResultsPrefix') }),
    maxConcurrency: SHARD_MAPS.maxConcurrency,
  });
  const prepare = invoke('Prepare', {
    // The execution names itself to take the run's lock: of two executions of identical inputs, one writes.
    payload: sfn.TaskInput.fromObject({ 'datasetKey.$': '$.detail.object.key', execution, 'stagePrefix.$': '$.sourceHashes.stagePrefix' }),
    outputPath: '$.Payload',
  });
  const planImageListing = invoke('PlanImageListing', {
    payload: sfn.TaskInput.fromObject(runRef),
    resultSelector: selectResult('PlanImageListing', ['listingKey', 'parts']),
    resultPath: '$.imageListing',
  });
  // One folder of the image root per item: each image checked once per run, by a listing page. A
  // folder larger than one call's budget (tuning.imagesPerListCall) is listed by successive calls:
  // each returns the next one's event, and the item's execution loops until a call returns none.
  const listImages = invoke('ListImages', { resultSelector: selectResult('ListImages', ['part', 'page', 'images', 'next']), resultPath: '$.listed' });
  const nextImagesPage = new sfn.Pass(scope, 'NextImagesPage', { inputPath: '$.listed.next' });
  const folderListed = new sfn.Succeed(scope, 'FolderListed', { outputPath: '$.listed' });
  // Tested as IsNull true (not IsNull false): aws-local-stepfunctions reads `IsNull: false` as never matching.
  const listFolder = listImages.next(
    new sfn.Choice(scope, 'MoreImages').when(sfn.Condition.isNull('$.listed.next'), folderListed).otherwise(nextImagesPage.next(listImages)),
  );
  const listAllImages = fanOut('ListImageFolders', listFolder, '$.imageListing.listingKey', '$.listImagesResults', {
    itemSelector: {
      ...runRef,
      ...Object.fromEntries(['part', 'prefix', 'check', 'imagesPerCall'].map((field) => [`${field}.$`, `$$.Map.Item.Value.${field}`])),
    },
    maxConcurrency: SHARD_MAPS.maxConcurrency,
  });
  const tokenizeBatch = invoke('Tokenize', {
    resultSelector: selectResult('Tokenize', ['chunks', 'samples']),
  });
  const tokenizeAll = fanOut('TokenizeChunks', tokenizeBatch, '$.chunksKey', '$.tokenizeResults', {
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: TOKENIZE_MAP.maxItemsPerBatch, batchInput: runRef }),
    maxConcurrency: TOKENIZE_MAP.maxConcurrency,
  });
  const mergeIndex = invoke('MergeIndex', {
    payload: sfn.TaskInput.fromObject(runRef),
    resultSelector: selectResult('MergeIndex', ['indexKey', 'samples', 'duplicates']),
    resultPath: '$.index',
  });
  const planShards = invoke('PlanShards', {
    payload: sfn.TaskInput.fromObject(runRef),
    resultSelector: selectResult('PlanShards', ['manifestKey', 'runFingerprint', 'epochs', 'shardWorkKey', 'shardWorkItems', 'routeWorkKey', 'routeWorkItems']),
    resultPath: '$.plan',
  });
  // Items are sized by PlanShards to one call each (a tokens file; a section's tokens and ranks): no batching.
  const route = invoke('Route', { resultSelector: selectResult('Route', ['file', 'rows', 'bytes']) });
  const routeAll = fanOut('RouteTokens', route, '$.plan.routeWorkKey', '$.routeResults', {
    itemSelector: { ...runRef, 'file.$': '$$.Map.Item.Value.file', 'tokensKey.$': '$$.Map.Item.Value.tokensKey', 'epochs.$': '$$.Map.Item.Value.epochs' },
    maxConcurrency: SHARD_MAPS.maxConcurrency,
  });
  const section = { ...runRef, 'epoch.$': '$$.Map.Item.Value.epoch', 'ranks.$': '$$.Map.Item.Value.ranks', 'section.$': '$$.Map.Item.Value.section' };
  const assemble = invoke('Assemble', { resultSelector: selectResult('Assemble', ['epoch', 'ranks', 'files']) });
  const assembleAll = fanOut('AssembleShards', assemble, '$.plan.shardWorkKey', '$.assembleResults', {
    itemSelector: section,
    maxConcurrency: SHARD_MAPS.maxConcurrency,
  });
  const finishShards = invoke('FinishShards', {
    payload: sfn.TaskInput.fromObject(runRef),
    resultSelector: selectResult('FinishShards', ['manifestKey', 'epochs', 'files']),
    resultPath: '$.shards',
  });
  const auditPartial = invoke('AuditPartial', { resultSelector: selectResult('AuditPartial', ['epoch', 'section', 'filesVerified']) });
  const auditAll = fanOut('AuditShards', auditPartial, '$.plan.shardWorkKey', '$.auditPartialResults', {
    itemSelector: section,
    maxConcurrency: SHARD_MAPS.maxConcurrency,
  });
  // AuditFailed (a check failed) is not retried: Catch sends it to Fail, its Cause naming the checks.
  const audit = invoke('Audit', {
    payload: sfn.TaskInput.fromObject(runRef),
    resultSelector: selectResult('Audit', ['reportKey', 'htmlKey', 'checks', 'warnings']),
    resultPath: '$.audit',
  });
  // Written last: its run.json is what makes a later upload of the same dataset a no-op.
  const completeRun = invoke('CompleteRun', {
    payload: sfn.TaskInput.fromObject({
      ...runRef,
      'runId.$': '$.runId',
      outputs: { 'index.$': '$.index', 'plan.$': '$.plan', 'shards.$': '$.shards', 'audit.$': '$.audit' },
    }),
    outputPath: '$.Payload',
  });
  const steps = [
    planSourceHashes,
    hashSources,
    prepare,
    planImageListing,
    listAllImages,
    tokenizeAll,
    mergeIndex,
    planShards,
    routeAll,
    assembleAll,
    finishShards,
    auditAll,
    audit,
    completeRun,
  ];
  for (const step of steps) step.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
  const done = new sfn.Succeed(scope, 'Done');
  const work = planImageListing
    .next(listAllImages)
    .next(tokenizeAll)
    .next(mergeIndex)
    .next(planShards)
    .next(routeAll)
    .next(assembleAll)
    .next(finishShards)
    .next(auditAll)
    .next(audit)
    .next(completeRun)
    .next(done);
  const alreadyComplete = new sfn.Choice(scope, 'AlreadyComplete')
    .when(sfn.Condition.booleanEquals('$.complete', true), new sfn.Succeed(scope, 'NothingToDo'))
    // Another execution holds the run lock (Prepare names it in inProgressBy): a no-op, not a failure.
    .when(sfn.Condition.isPresent('$.inProgressBy'), new sfn.Succeed(scope, 'RunInProgress'))
    .otherwise(work);
  return planSourceHashes.next(hashSources).next(prepare).next(alreadyComplete);
}

/**
 * A ResultSelector keeping `fields` of task `task`'s result (its Lambda's Payload). The fields are
 * checked against the task's result schema in the task table, so a renamed field fails to compile.
 */
export function selectResult<N extends PipelineTaskName>(task: N, fields: readonly (keyof TaskResult<N> & string)[]): Record<string, string> {
  void task;
  return Object.fromEntries(fields.map((field) => [`${field}.$`, `$.Payload.${field}`]));
}

/** The pipeline as a Step Functions state machine with its log group, tracing and full logging. */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: { bucket: s3.IBucket; functions: PipelineFunctions }) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(buildPipelineDefinition(this, { bucket: props.bucket, functions: props.functions.byTask() })),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
