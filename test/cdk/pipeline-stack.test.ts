import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_RUNTIME } from '../../cdk/pipeline-functions.js';
import { PipelineStack } from '../../cdk/pipeline-stack.js';
import { TOKENIZE_MAP, SHARD_MAPS } from '../../cdk/state-machine.js';
import { LOCAL_BUCKET, localFunctionArn } from '../../lib/run/pipeline/local-refs.js';
import { PIPELINE_DEFINITION } from '../../lib/run/pipeline/pipeline-definition.generated.js';
import { PIPELINE_TASK_NAMES } from '../../lib/run/pipeline/task-table.js';

type Json = Record<string, unknown>;

let stack: PipelineStack;
let template: Template;
let definition: { StartAt: string; States: Record<string, Json> };

/** The state machine's ASL with every intrinsic (function ARNs, bucket name) replaced by a placeholder. */
function definitionOf(t: Template): typeof definition {
  const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    return 'PLACEHOLDER';
  };
  return JSON.parse(flatten(machine.Properties.DefinitionString)) as typeof definition;
}

beforeAll(() => {
  stack = new PipelineStack(new App({ outdir: undefined }), 'TestPipeline');
  template = Template.fromStack(stack);
  definition = definitionOf(template);
});

describe('PipelineStack bucket', () => {
  it('encrypts, blocks public access, keeps versions and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
  });

  it('denies every request that is not over TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('PipelineStack trigger', () => {
  it('invokes the upload trigger (not the state machine) on Object Created of a dataset.json', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as { Properties: { EventPattern: Json; Targets: Json[] } }[];
    expect(rules).toHaveLength(1);
    const pattern = rules[0]!.Properties.EventPattern as { source: string[]; 'detail-type': string[]; detail: { object: { key: { suffix: string }[] } } };
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['Object Created']);
    expect(pattern.detail.object.key).toHaveLength(1);
    expect(pattern.detail.object.key[0]!.suffix).toMatch(/dataset\.json$/);
    // The trigger names the execution by the upload: a duplicated event starts nothing new (test/cdk/upload-trigger.test.ts).
    expect(JSON.stringify(rules[0]!.Properties.Targets[0]!.Arn)).toContain(stack.getLogicalId(stack.trigger.function.node.defaultChild as never));
    expect(JSON.stringify(rules[0]!.Properties.Targets)).not.toContain(stack.getLogicalId(stack.pipeline.stateMachine.node.defaultChild as never));
  });
});

describe('PipelineStack state machine', () => {
  it('runs Prepare, stops if the run is already complete, else a distributed Tokenize map, MergeIndex, PlanShards, distributed Route and Assemble maps, FinishShards, a distributed AuditPartial map, Audit, CompleteRun, then Succeed', () => {
    expect(definition.StartAt).toBe('PlanSourceHashes');
    const next = (name: string) => definition.States[name]!.Next;
    expect(['PlanSourceHashes', 'HashSources'].map(next)).toEqual(['HashSources', 'Prepare']);
    expect(['PlanImageListing', 'ListImageFolders'].map(next)).toEqual(['ListImageFolders', 'TokenizeChunks']);
    const order = [
      'Prepare',
      'TokenizeChunks',
      'MergeIndex',
      'PlanShards',
      'RouteTokens',
      'AssembleShards',
      'FinishShards',
      'AuditShards',
      'Audit',
      'CompleteRun',
    ];
    expect(order.map(next)).toEqual(['AlreadyComplete', ...order.slice(2), 'Done']);
    // CompleteRun records every step's report, shards and audit included.
    expect((definition.States.CompleteRun as { Parameters: { Payload: { outputs: Json } } }).Parameters.Payload.outputs).toEqual({
      'index.$': '$.index',
      'plan.$': '$.plan',
      'shards.$': '$.shards',
      'audit.$': '$.audit',
    });
    expect(definition.States.AlreadyComplete).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.complete', BooleanEquals: true, Next: 'NothingToDo' },
        { Variable: '$.inProgressBy', IsPresent: true, Next: 'RunInProgress' },
      ],
      Default: 'PlanImageListing',
    });
    expect(definition.States.NothingToDo!.Type).toBe('Succeed');
    expect(definition.States.RunInProgress!.Type).toBe('Succeed');
    expect(definition.States.Done!.Type).toBe('Succeed');
    expect(definition.States.PipelineFailed!.Type).toBe('Fail');
  });

  it('fans out with a DISTRIBUTED map reading chunks.json from S3, batched, failing on any failure', () => {
    const map = definition.States.TokenizeChunks as Json & {
      ItemProcessor: { ProcessorConfig: Json; States: Record<string, Json> };
      ItemReader: Json;
      ItemBatcher: Json;
      ResultWriter: Json;
    };
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED' });
    expect(map.ItemReader).toMatchObject({
      Resource: expect.stringContaining(':states:::s3:getObject'),
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Key.$': '$.chunksKey' },
    });
    expect(map.ItemBatcher).toMatchObject({
      MaxItemsPerBatch: TOKENIZE_MAP.maxItemsPerBatch,
      BatchInput: { 'datasetPrefix.$': '$.datasetPrefix', 'runPrefix.$': '$.runPrefix' },
    });
    expect(map.MaxConcurrency).toBe(TOKENIZE_MAP.maxConcurrency);
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.ResultWriter).toMatchObject({ Resource: expect.stringContaining(':states:::s3:putObject') });
    const tokenize = map.ItemProcessor.States.Tokenize as { Retry: { ErrorEquals: string[] }[] };
    expect(tokenize.Retry.some((retry) => retry.ErrorEquals.includes('StorageTransient'))).toBe(true);
  });

  it('routes and assembles shards, and audits them, with DISTRIBUTED maps: one item per call from the work lists PlanShards wrote', () => {
    const maps = [
      [
        'RouteTokens',
        'Route',
        '$.plan.routeWorkKey',
        { 'file.$': '$$.Map.Item.Value.file', 'tokensKey.$': '$$.Map.Item.Value.tokensKey', 'epochs.$': '$$.Map.Item.Value.epochs' },
      ],
      [
        'AssembleShards',
        'Assemble',
        '$.plan.shardWorkKey',
        { 'epoch.$': '$$.Map.Item.Value.epoch', 'ranks.$': '$$.Map.Item.Value.ranks', 'section.$': '$$.Map.Item.Value.section' },
      ],
      [
        'AuditShards',
        'AuditPartial',
        '$.plan.shardWorkKey',
        { 'epoch.$': '$$.Map.Item.Value.epoch', 'ranks.$': '$$.Map.Item.Value.ranks', 'section.$': '$$.Map.Item.Value.section' },
      ],
    ] as const;
    for (const [name, task, itemsKey, selector] of maps) {
      const map = definition.States[name] as Json & {
        ItemProcessor: { ProcessorConfig: Json; States: Record<string, Json> };
        ItemReader: Json;
        ItemSelector: Json;
        ResultWriter: Json;
      };
      expect(map.Type, name).toBe('Map');
      expect(map.ItemProcessor.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED' });
      expect(map.ItemReader).toMatchObject({
        Resource: expect.stringContaining(':states:::s3:getObject'),
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': itemsKey },
      });
      expect(map.ItemBatcher).toBeUndefined();
      expect(map.ItemSelector).toEqual({ 'datasetPrefix.$': '$.datasetPrefix', 'runPrefix.$': '$.runPrefix', ...selector });
      expect(map.MaxConcurrency).toBe(SHARD_MAPS.maxConcurrency);
      expect(map.ToleratedFailurePercentage).toBe(0);
      expect(map.ResultWriter).toMatchObject({ Resource: expect.stringContaining(':states:::s3:putObject') });
      const child = map.ItemProcessor.States[task] as { Retry: { ErrorEquals: string[] }[] };
      expect(
        child.Retry.some((retry) => retry.ErrorEquals.includes('StorageTransient')),
        task,
      ).toBe(true);
    }
  });

  it('retries StorageTransient and catches everything else into Fail on every task; AuditFailed is never retried', () => {
    for (const name of ['Prepare', 'MergeIndex', 'PlanShards', 'FinishShards', 'Audit', 'CompleteRun']) {
      const state = definition.States[name] as { Retry: { ErrorEquals: string[] }[]; Catch: { ErrorEquals: string[]; Next: string }[] };
      expect(
        state.Retry.some((retry) => retry.ErrorEquals.includes('StorageTransient')),
        name,
      ).toBe(true);
      expect(
        state.Retry.some((retry) => ['InvalidInput', 'CorruptArtifact', 'AuditFailed', 'States.ALL'].some((e) => retry.ErrorEquals.includes(e))),
        name,
      ).toBe(false);
    }
    for (const name of [
      'PlanSourceHashes',
      'HashSources',
      'Prepare',
      'PlanImageListing',
      'ListImageFolders',
      'TokenizeChunks',
      'MergeIndex',
      'PlanShards',
      'RouteTokens',
      'AssembleShards',
      'FinishShards',
      'AuditShards',
      'Audit',
      'CompleteRun',
    ]) {
      expect(definition.States[name]!.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PipelineFailed' }]);
    }
  });
});

describe('PipelineStack and the local runner', () => {
  it('deploys exactly the definition `megashard run` executes, resource references aside', () => {
    // Locally the references are stubs; in the template they are intrinsics, flattened to PLACEHOLDER.
    let local = JSON.stringify(PIPELINE_DEFINITION);
    for (const task of PIPELINE_TASK_NAMES) local = local.replaceAll(JSON.stringify(localFunctionArn(task)), '"PLACEHOLDER"');
    local = local.replaceAll(JSON.stringify(LOCAL_BUCKET), '"PLACEHOLDER"').replaceAll('arn:aws:states:', 'arn:PLACEHOLDER:states:');
    expect(JSON.parse(local)).toEqual(definition);
    // Spelled out, the fields the local runner implements itself must be there to be run.
    const map = (PIPELINE_DEFINITION.States as Record<string, Json>).TokenizeChunks!;
    expect(Object.keys(map)).toEqual(
      expect.arrayContaining(['ItemReader', 'ItemBatcher', 'ToleratedFailurePercentage', 'ResultWriter', 'MaxConcurrency', 'Catch']),
    );
  });
});

describe('PipelineStack functions', () => {
  it("gives every task its function's timeout, so a hung call fails as States.Timeout", () => {
    const child = (map: string, task: string): [string, Json] => [
      task,
      (definition.States[map] as { ItemProcessor: { States: Record<string, Json> } }).ItemProcessor.States[task]!,
    ];
    const tasks: Array<[string, Json]> = [
      ...Object.entries(definition.States),
      child('HashSources', 'HashSource'),
      child('ListImageFolders', 'ListImages'),
      child('TokenizeChunks', 'Tokenize'),
      child('RouteTokens', 'Route'),
      child('AssembleShards', 'Assemble'),
      child('AuditShards', 'AuditPartial'),
    ];
    expect(
      tasks
        .filter(([, s]) => s.Type === 'Task')
        .map(([name]) => name)
        .sort(),
    ).toEqual([...PIPELINE_TASK_NAMES].sort());
    for (const [name, state] of tasks.filter(([, s]) => s.Type === 'Task')) {
      const fn = stack.functions.byTask()[name as keyof ReturnType<typeof stack.functions.byTask>];
      expect(state.TimeoutSeconds, name).toBe(fn.timeout?.toSeconds());
    }
  });

  it("gives the shard and audit functions the run prefix only: no dataset reads; deletes only of a run's work/ by the steps that consume it", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Json[]; PolicyDocument: Json } }>;
    for (const task of ['Route', 'Assemble', 'FinishShards', 'AuditPartial', 'Audit'] as const) {
      const fn = stack.functions.of(task);
      const role = stack.getLogicalId(fn.role!.node.defaultChild as never);
      const mine = policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role}"`)).map((p) => JSON.stringify(p.Properties.PolicyDocument));
      expect(mine, fn.node.id).toHaveLength(1);
      expect(mine[0]).toContain('/runs/*');
      expect(mine[0]).not.toContain('/datasets/*');
      expect(mine[0]).not.toMatch(/s3:PutObjectAcl|s3:\*/);
      if (task === 'FinishShards' || task === 'Audit') expect(mine[0]).toMatch(/"Action":"s3:DeleteObject".*\/runs\/\*\/work\/\*"/);
      else expect(mine[0]).not.toMatch(/s3:Delete/);
    }
  });

  it('runs every pipeline function on arm64 with the newest Node.js runtime', () => {
    expect(PIPELINE_RUNTIME.name).toBe('nodejs24.x');
    for (const fn of stack.functions.all()) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
      const resource = template.toJSON().Resources[logicalId] as { Properties: { Architectures: string[]; Runtime: string } };
      expect(resource.Properties.Architectures).toEqual(['arm64']);
      expect(resource.Properties.Runtime).toBe(PIPELINE_RUNTIME.name);
    }
  });
});

describe('PipelineStack cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const open = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => `${r.resourceLogicalId} ${JSON.stringify(r.locations)}`).join(', ')}`,
    );
    expect(open).toEqual([]);
    expect(report.success).toBe(true);
  });
});
