/**
 * The fields aws-local-stepfunctions ignores and our shim implements (ItemReader, ItemBatcher,
 * ToleratedFailurePercentage, ResultWriter), exercised on the pipeline's own definition with
 * stand-in Lambdas, plus the interpreter's Retry and Catch around them, as AWS runs them.
 */
import { describe, expect, it } from 'vitest';
import { AuditFailedError } from '../../lib/core/audit/audit-failed-error.js';
import { InvalidInputError, StorageError } from '../../lib/core/errors.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { Json } from '../../lib/local/asl.js';
import { batchMapItems } from '../../lib/local/distributed-map/batch-items.js';
import { TemplateEvaluator } from '../../lib/local/evaluate-template.js';
import { loadInterpreter } from '../../lib/local/load-interpreter.js';
import { LOCAL_BUCKET, taskOfLocalArn } from '../../lib/run/pipeline/local-refs.js';
import { PIPELINE_DEFINITION } from '../../lib/run/pipeline/pipeline-definition.generated.js';
import { runMachine } from '../../lib/local/run-machine.js';
import type { PipelineTaskName } from '../../lib/run/pipeline/task-table.js';

const RUN = {
  datasetPrefix: 'datasets/d',
  runPrefix: 'runs/0123456789abcdef01234567',
  runId: '0123456789abcdef01234567',
  mapResultsPrefix: 'runs/0123456789abcdef01234567/map-results',
};
const CONTEXT = {
  Execution: { Name: 'local-test', Id: 'arn:aws:states:us-east-1:000000000000:execution:MegashardPipeline:local-test' },
  StateMachine: { Name: 'MegashardPipeline', Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:MegashardPipeline' },
};
const EVENT = { detail: { bucket: { name: LOCAL_BUCKET }, object: { key: 'datasets/d/dataset.json' } } };

type Chunk = { chunkIndex: number };
type Batch = { BatchInput: unknown; Items: Chunk[] };
type Lambda = (payload: Json, attempt: number) => Promise<Json>;

/** The pipeline definition run with stand-in Lambdas over a memory bucket holding `chunks` chunk items. */
async function runPipelineDefinition(chunks: number, overrides: Partial<Record<PipelineTaskName, Lambda>> = {}, concurrency = 3) {
  const bucket = new MemoryObjectStore(`memory://${LOCAL_BUCKET}/`);
  const calls: Array<{ task: PipelineTaskName; payload: Json }> = [];
  const attempts = new Map<string, number>();
  const lambdas: Record<PipelineTaskName, Lambda> = {
    PlanSourceHashes: async () => {
      const stagePrefix = 'runs/_prepare/test/work/source-hashes';
      await bucket.put(
        `${stagePrefix}/source-blocks.json`,
        JSON.stringify([0, 1].map((block) => ({ source: 0, path: 'a.json', block, start: 10 * block, end: 10 * block + 10, arrayChunkBytes: null }))),
      );
      return {
        datasetPrefix: RUN.datasetPrefix,
        stagePrefix,
        blocksKey: `${stagePrefix}/source-blocks.json`,
        blocks: 2,
        bytes: 20,
        mapResultsPrefix: `${stagePrefix}/map-results`,
      };
    },
    HashSource: async (payload) => ({ source: 0, block: (payload as { block: number }).block, bytes: 10 }),
    Prepare: async () => {
      await bucket.put(`${RUN.runPrefix}/chunks.json`, JSON.stringify(Array.from({ length: chunks }, (_, chunkIndex) => ({ chunkIndex }))));
      return { ...RUN, complete: false, chunksKey: `${RUN.runPrefix}/chunks.json`, chunks };
    },
    PlanImageListing: async () => {
      await bucket.put(`${RUN.runPrefix}/images/listing.json`, JSON.stringify([{ part: 0, prefix: 'images/a/', check: 'exists', imagesPerCall: 1000 }]));
      return { listingKey: `${RUN.runPrefix}/images/listing.json`, parts: 1 };
    },
    ListImages: async () => ({ part: 0, page: 0, images: 3, next: null }),
    Tokenize: async (payload) => ({ chunks: (payload as Batch).Items.length, samples: 10 * (payload as Batch).Items.length }),
    MergeIndex: async () => ({ indexKey: `${RUN.runPrefix}/index/lengths.arrow`, samples: 10 * chunks, duplicates: 0 }),
    PlanShards: async () => {
      // Two epochs of 3 ranks, cut into three sections; two tokens files to route.
      const items = [
        { epoch: 0, ranks: [0, 2], section: 0 },
        { epoch: 0, ranks: [2, 3], section: 1 },
        { epoch: 1, ranks: [0, 3], section: 2 },
      ];
      const routes = [0, 1].map((file) => ({ file, tokensKey: `tokens/part-${file}.arrow`, epochs: [0, 1] }));
      await bucket.put(`${RUN.runPrefix}/shard-work.json`, JSON.stringify(items));
      await bucket.put(`${RUN.runPrefix}/route-work.json`, JSON.stringify(routes));
      return {
        manifestKey: `${RUN.runPrefix}/plan/manifest.json`,
        runFingerprint: 'f',
        epochs: 2,
        shardWorkKey: `${RUN.runPrefix}/shard-work.json`,
        shardWorkItems: items.length,
        routeWorkKey: `${RUN.runPrefix}/route-work.json`,
        routeWorkItems: routes.length,
      };
    },
    Route: async (payload) => ({ file: (payload as { file: number }).file, rows: 10, bytes: 100 }),
    Assemble: async (payload) => {
      const { epoch, ranks } = payload as { epoch: number; ranks: [number, number] };
      return { epoch, ranks, files: 2 * (ranks[1] - ranks[0]) };
    },
    FinishShards: async () => ({ manifestKey: `${RUN.runPrefix}/shards/manifest.json`, epochs: 2, files: 12 }),
    AuditPartial: async (payload) => ({ epoch: (payload as { epoch: number }).epoch, section: (payload as { section: number }).section, filesVerified: 2 }),
    Audit: async () => ({ reportKey: `${RUN.runPrefix}/audit/report.json`, htmlKey: `${RUN.runPrefix}/audit/report.html`, checks: 12, warnings: 0 }),
    CompleteRun: async (payload) => ({ ...RUN, complete: true, outputs: (payload as { outputs: Json }).outputs }),
    ...overrides,
  };
  const run = runMachine(PIPELINE_DEFINITION, EVENT, {
    interpreter: await loadInterpreter(),
    invokeLambda: async (arn, payload) => {
      const task = taskOfLocalArn(arn)!;
      calls.push({ task, payload });
      const key = `${task}:${JSON.stringify(payload)}`;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      return lambdas[task](payload, attempts.get(key)!);
    },
    buckets: (name) => {
      expect(name).toBe(LOCAL_BUCKET);
      return bucket;
    },
    concurrency,
    context: CONTEXT,
    // The definition's pauses (2 s, 5 s, ×2) would only slow the test down; what is retried is unchanged.
    retryIntervalOverrides: {
      PlanSourceHashes: 0,
      HashSource: 0,
      Prepare: 0,
      PlanImageListing: 0,
      ListImages: 0,
      Tokenize: 0,
      MergeIndex: 0,
      PlanShards: 0,
      Route: 0,
      Assemble: 0,
      FinishShards: 0,
      AuditPartial: 0,
      Audit: 0,
      CompleteRun: 0,
    },
    validate: false,
  });
  return { run, bucket, calls, attempts };
}

const batchesOf = (calls: Array<{ task: string; payload: Json }>) => calls.filter((c) => c.task === 'Tokenize').map((c) => c.payload as Batch);
const firstChunks = (batches: Batch[]) => [...new Set(batches.map((b) => b.Items[0]!.chunkIndex))].sort((a, b) => a - b);

/** The error a failed execution ends with (its Fail state's Error and Cause). */
async function failureOf(run: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await run;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the execution to fail');
}

describe('Distributed Map shim on the pipeline definition', () => {
  it('reads the items from chunks.json, batches them as {BatchInput, Items} of at most MaxItemsPerBatch, and writes ResultWriter files', async () => {
    const { run, bucket, calls } = await runPipelineDefinition(10);
    const output = (await run) as { complete: boolean };
    expect(output.complete).toBe(true);
    const batches = batchesOf(calls);
    for (const batch of batches) {
      expect(Object.keys(batch)).toEqual(['BatchInput', 'Items']);
      expect(batch.BatchInput).toEqual({ datasetPrefix: RUN.datasetPrefix, runPrefix: RUN.runPrefix });
    }
    // Consecutive items, in order, 4 (MaxItemsPerBatch) at a time: every chunk exactly once.
    expect(batches.map((b) => b.Items.map((i) => i.chunkIndex)).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    // The map's children finish before MergeIndex starts.
    expect(calls.map((c) => c.task).slice(-13)).toEqual([
      'MergeIndex',
      'PlanShards',
      'Route',
      'Route',
      'Assemble',
      'Assemble',
      'Assemble',
      'FinishShards',
      'AuditPartial',
      'AuditPartial',
      'AuditPartial',
      'Audit',
      'CompleteRun',
    ]);

    const manifests = [];
    for (const key of (await bucket.list(`${RUN.runPrefix}/map-results/`)).filter((k) => k.endsWith('/manifest.json')))
      manifests.push(JSON.parse(new TextDecoder().decode(await bucket.get(key))));
    const manifest = manifests.find((m) => String(m.MapRunArn).includes('/TokenizeChunks:'));
    expect(manifests).toHaveLength(5);
    expect(manifest).toMatchObject({ DestinationBucket: LOCAL_BUCKET, MapRunArn: expect.stringContaining(':mapRun:MegashardPipeline/TokenizeChunks:') });
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const succeeded = JSON.parse(new TextDecoder().decode(await bucket.get(manifest.ResultFiles.SUCCEEDED[0].Key)));
    expect(succeeded).toHaveLength(3);
    for (const entry of succeeded) {
      expect(entry.Status).toBe('SUCCEEDED');
      // The child's output is the Tokenize state's result after its ResultSelector.
      const items = (JSON.parse(entry.Input) as Batch).Items.length;
      expect(JSON.parse(entry.Output)).toEqual({ chunks: items, samples: 10 * items });
    }
  });

  it('routes each tokens file, then assembles and audits each section, one item per call read from its work list with the run attached', async () => {
    const { run, calls } = await runPipelineDefinition(2);
    const output = (await run) as { outputs: Record<string, unknown> };
    const sorted = (task: string) =>
      calls
        .filter((c) => c.task === task)
        .map((c) => c.payload as Record<string, unknown>)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const ref = { datasetPrefix: RUN.datasetPrefix, runPrefix: RUN.runPrefix };
    expect(sorted('Route')).toEqual([0, 1].map((file) => ({ ...ref, file, tokensKey: `tokens/part-${file}.arrow`, epochs: [0, 1] })));
    const sections = [
      { ...ref, epoch: 0, ranks: [0, 2], section: 0 },
      { ...ref, epoch: 0, ranks: [2, 3], section: 1 },
      { ...ref, epoch: 1, ranks: [0, 3], section: 2 },
    ];
    expect(sorted('Assemble')).toEqual(sections);
    expect(sorted('AuditPartial')).toEqual(sections);
    const order = calls.map((c) => c.task).filter((task, i, all) => all.indexOf(task) === i);
    expect(order).toEqual([
      'PlanSourceHashes',
      'HashSource',
      'Prepare',
      'PlanImageListing',
      'ListImages',
      'Tokenize',
      'MergeIndex',
      'PlanShards',
      'Route',
      'Assemble',
      'FinishShards',
      'AuditPartial',
      'Audit',
      'CompleteRun',
    ]);
    expect(Object.keys(output.outputs)).toEqual(['index', 'plan', 'shards', 'audit']);
  });

  it('an audit that fails goes to Fail as AuditFailed, not retried, its Cause naming the failed check', async () => {
    const Audit: Lambda = async () => {
      throw new AuditFailedError(['exactly-once: epoch 0: sample 7 appears twice (rank 1 step 3)']);
    };
    const { run, calls } = await runPipelineDefinition(2, { Audit });
    const failure = await failureOf(run);
    expect(failure.name).toBe('AuditFailed');
    expect(failure.message).toContain('exactly-once: epoch 0: sample 7 appears twice');
    expect(calls.filter((c) => c.task === 'Audit')).toHaveLength(1);
    expect(calls.map((c) => c.task)).not.toContain('CompleteRun');
  });

  it('with ToleratedFailurePercentage 0, one failed item fails the map (States.ExceedToleratedFailureThreshold) and the Catch ends the run in Fail naming the chunk', async () => {
    const Tokenize: Lambda = async (payload) => {
      const batch = payload as Batch;
      if (batch.Items.some((item) => item.chunkIndex === 5)) throw new InvalidInputError('chunk 5 of data/train.json', 'record at byte 812 is not JSON');
      return { chunks: batch.Items.length, samples: 0 };
    };
    const { run, bucket, calls } = await runPipelineDefinition(12, { Tokenize }, 1);
    const failure = await failureOf(run);
    expect(failure.name).toBe('States.ExceedToleratedFailureThreshold');
    expect(failure.message).toContain('4 of 12 items failed');
    expect(failure.message).toContain('InvalidInput: chunk 5 of data/train.json: record at byte 812 is not JSON');
    // Not retried (InvalidInput is no transient error); no batch started after the threshold was crossed; nothing after the map ran.
    expect(firstChunks(batchesOf(calls))).toEqual([0, 4]);
    expect(calls.map((c) => c.task)).not.toContain('MergeIndex');
    // Several maps write results under the run (source hashes, image listing, Tokenize): the failed one is Tokenize's.
    const manifestKeys = (await bucket.list(`${RUN.runPrefix}/map-results/`)).filter((key) => key.endsWith('/manifest.json'));
    const manifests = await Promise.all(manifestKeys.map(async (key) => JSON.parse(new TextDecoder().decode(await bucket.get(key)))));
    const withFailures = manifests.filter((m) => (m.ResultFiles.FAILED ?? []).length > 0);
    expect(withFailures).toHaveLength(1);
    const manifest = withFailures[0];
    const failed = JSON.parse(new TextDecoder().decode(await bucket.get(manifest.ResultFiles.FAILED[0].Key)));
    expect(failed).toEqual([expect.objectContaining({ Status: 'FAILED', Error: 'InvalidInput' })]);
    expect(JSON.parse(failed[0].Cause)).toMatchObject({ errorType: 'InvalidInput', errorMessage: expect.stringContaining('chunk 5') });
  });

  it('retries a StorageTransient Tokenize by its error name (MaxAttempts 4: five calls at most), and nothing else', async () => {
    const flakyTwice: Lambda = async (payload, attempt) => {
      if ((payload as Batch).Items[0]!.chunkIndex === 0 && attempt <= 2)
        throw new StorageError('s3://b/runs/x/tokens/part-0000-000000.arrow', 'SlowDown: try again', true);
      return { chunks: (payload as Batch).Items.length, samples: 0 };
    };
    const recovered = await runPipelineDefinition(6, { Tokenize: flakyTwice });
    await expect(recovered.run).resolves.toMatchObject({ complete: true });
    expect([...recovered.attempts.entries()].filter(([key]) => key.startsWith('Tokenize:')).map(([, n]) => n)).toEqual([3, 1]);

    const alwaysTransient: Lambda = async () => {
      throw new StorageError('s3://b/x', 'SlowDown: try again', true);
    };
    const exhausted = await runPipelineDefinition(2, { Tokenize: alwaysTransient });
    expect((await failureOf(exhausted.run)).name).toBe('States.ExceedToleratedFailureThreshold');
    expect(batchesOf(exhausted.calls)).toHaveLength(1 + 4);
  });

  it('a non-transient error of a task outside the map goes straight to Fail with its own name', async () => {
    const Prepare: Lambda = async () => {
      throw new InvalidInputError('/data/dataset.json.sources.0.path', '"../x" has a ".." segment');
    };
    const { run, calls } = await runPipelineDefinition(1, { Prepare });
    const failure = await failureOf(run);
    expect(failure.name).toBe('InvalidInput');
    expect(JSON.parse(failure.message)).toMatchObject({ errorType: 'InvalidInput', errorMessage: expect.stringContaining('sources.0.path') });
    expect(calls.map((c) => c.task)).toEqual(['PlanSourceHashes', 'HashSource', 'HashSource', 'Prepare']);
  });

  it('a run Prepare finds complete goes to NothingToDo without tokenizing', async () => {
    const Prepare: Lambda = async () => ({ ...RUN, complete: true, chunks: 0 });
    const { run, calls } = await runPipelineDefinition(3, { Prepare });
    await expect(run).resolves.toMatchObject({ complete: true, chunks: 0 });
    expect(calls.map((c) => c.task)).toEqual(['PlanSourceHashes', 'HashSource', 'HashSource', 'Prepare']);
  });

  it('a missing item file fails the map as States.ItemReaderFailed, naming the object', async () => {
    const Prepare: Lambda = async () => ({ ...RUN, complete: false, chunksKey: `${RUN.runPrefix}/missing.json` });
    const { run } = await runPipelineDefinition(0, { Prepare });
    const failure = await failureOf(run);
    expect(failure.name).toBe('States.ItemReaderFailed');
    expect(failure.message).toContain(`s3://${LOCAL_BUCKET}/${RUN.runPrefix}/missing.json`);
  });
});

describe('Distributed Map fields beyond the pipeline definition', () => {
  it('MaxInputBytesPerBatch caps a batch by its JSON size, BatchInput included', async () => {
    const evaluate = new TemplateEvaluator(await loadInterpreter(), CONTEXT);
    const items = Array.from({ length: 7 }, (_, i) => ({ id: `item-${i}`, pad: 'x'.repeat(20) }));
    const state = { Type: 'Map', ItemBatcher: { MaxInputBytesPerBatch: 120, BatchInput: { 'tag.$': '$.tag' } } };
    const { inputs, itemCounts } = await batchMapItems(state, items, { tag: 't' }, evaluate);
    for (const input of inputs) expect(Buffer.byteLength(JSON.stringify(input))).toBeLessThanOrEqual(120);
    expect(itemCounts.reduce((a, b) => a + b, 0)).toBe(7);
    expect(itemCounts.every((n) => n >= 1 && n <= 2)).toBe(true);
    expect((inputs[0] as { BatchInput: unknown }).BatchInput).toEqual({ tag: 't' });
  });

  it('ToleratedFailurePercentage counts a failed batch as all its items, and tolerates up to the threshold', async () => {
    const interpreter = await loadInterpreter();
    const bucket = new MemoryObjectStore();
    await bucket.put('items.json', JSON.stringify(Array.from({ length: 10 }, (_, n) => ({ n }))));
    const definition = (percentage: number) => ({
      StartAt: 'Map',
      States: {
        Map: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Work',
            States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work', End: true } },
          },
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'b', Key: 'items.json' } },
          ItemBatcher: { MaxItemsPerBatch: 2 },
          ToleratedFailurePercentage: percentage,
          End: true,
        },
      },
    });
    // The batch holding item 3 (items 2–3) fails: 2 of 10 items = 20 %.
    const run = (percentage: number) =>
      runMachine(
        definition(percentage),
        {},
        {
          interpreter,
          invokeLambda: async (_arn, payload) => {
            if ((payload as { Items: Array<{ n: number }> }).Items.some((item) => item.n === 3)) throw new Error('boom');
            return 'ok';
          },
          buckets: () => bucket,
          concurrency: 2,
          context: CONTEXT,
        },
      );
    await expect(run(20)).resolves.toEqual(['ok', expect.objectContaining({ Status: 'FAILED', Error: 'Error' }), 'ok', 'ok', 'ok']);
    await expect(run(19)).rejects.toMatchObject({ name: 'States.ExceedToleratedFailureThreshold' });
  });
});
