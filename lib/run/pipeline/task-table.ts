import type { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { auditResultSchema, createAuditHandler } from './audit-task.js';
import { completeRunResultSchema, createCompleteRunHandler } from './complete-run-task.js';
import { createFinishShardsHandler, finishShardsResultSchema } from './finish-shards-task.js';
import { createMergeIndexHandler, mergeIndexResultSchema } from './merge-index-task.js';
import { createPlanShardsHandler, planShardsResultSchema } from './plan-shards-task.js';
import { createPrepareHandler, prepareResultSchema } from './prepare-task.js';
import { createTokenizeHandler, tokenizeResultSchema } from './tokenize-task.js';
import { assembleResultSchema, createAssembleHandler } from './assemble-task.js';
import { auditPartialResultSchema, createAuditPartialHandler } from './audit-partial-task.js';
import { createRouteHandler, routeResultSchema } from './route-task.js';
import { createListImagesHandler, listImagesResultSchema } from './list-images-task.js';
import { createPlanImageListingHandler, planImageListingResultSchema } from './plan-image-listing-task.js';
import { createHashSourceHandler, hashSourceResultSchema } from './hash-source-task.js';
import { createPlanSourceHashesHandler, planSourceHashesResultSchema } from './plan-source-hashes-task.js';

/**
 * The Lambda tasks of the pipeline, by state name, in pipeline order. Adding a state starts here:
 * the compiler then asks for its row in {@link PIPELINE_TASKS}, which the CDK stack (functions,
 * IAM, timeouts), the Lambda entry points and the local runner all read.
 */
export const PIPELINE_TASK_NAMES = [
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
] as const;

/** A task of the pipeline. */
export type PipelineTaskName = (typeof PIPELINE_TASK_NAMES)[number];

/** What a task's function may do to the bucket: read `datasets/`, read and write `runs/`, delete a run's `work/` intermediates. */
export interface TaskAccess {
  readonly readDatasets: boolean;
  readonly readRuns: boolean;
  readonly writeRuns: boolean;
  readonly deleteWork: boolean;
}

/** Memory and timeout of a task's function; the timeout is also the state's TimeoutSeconds (locally too). */
export interface TaskSizing {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** One row of the task table: everything any runtime needs to know about a task. */
export interface PipelineTask<R extends z.ZodType = z.ZodType> {
  /** The folder of its Lambda entry point: `lambdas/<folder>/handler.ts`. */
  readonly folder: string;
  /** The handler over a store root (the bucket on AWS, a folder or s3:// prefix locally). */
  readonly create: (root: StoreRoot) => (event: unknown) => Promise<z.output<R>>;
  /** The schema of what the handler returns (checked on every call, in every runtime). */
  readonly result: R;
  readonly sizing: TaskSizing;
  readonly access: TaskAccess;
  /** Runs as a Distributed Map child: locally on worker threads (its outputs are keyed by item). */
  readonly mapChild: boolean;
}

/** A row, with the result type kept (so state-machine selections of result fields are checked). */
function task<R extends z.ZodType>(row: PipelineTask<R>): PipelineTask<R> {
  return row;
}

const MINUTE = 60;
const RUN_ONLY: TaskAccess = { readDatasets: false, readRuns: true, writeRuns: true, deleteWork: false };
const DATASET_AND_RUN: TaskAccess = { readDatasets: true, readRuns: true, writeRuns: true, deleteWork: false };
/** The steps that finish with an intermediate delete it (`runs/<id>/work/…`), nothing else. */
const RUN_AND_WORK: TaskAccess = { ...RUN_ONLY, deleteWork: true };

/** The task table. */
export const PIPELINE_TASKS = {
  // Sizes of the sources and their blocks: a HEAD per source.
  PlanSourceHashes: task({
    folder: 'plan-source-hashes',
    create: createPlanSourceHashesHandler,
    result: planSourceHashesResultSchema,
    sizing: { memoryMb: 512, timeoutSeconds: 5 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: false,
  }),
  // One block of one source (tuning.hashBytesPerCall, 256 MiB by default) read and hashed in 8 MiB reads.
  HashSource: task({
    folder: 'hash-source',
    create: createHashSourceHandler,
    result: hashSourceResultSchema,
    sizing: { memoryMb: 512, timeoutSeconds: 15 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: true,
  }),
  // Reads runs/ to find a completed run of the same inputs; combines the block digests (the run id), deletes them.
  Prepare: task({
    folder: 'prepare',
    create: createPrepareHandler,
    result: prepareResultSchema,
    sizing: { memoryMb: 1024, timeoutSeconds: 15 * MINUTE },
    access: { ...DATASET_AND_RUN, deleteWork: true },
    mapChild: false,
  }),
  // One LIST per image-root folder (listFolders): the ListImages items.
  PlanImageListing: task({
    folder: 'plan-image-listing',
    create: createPlanImageListingHandler,
    result: planImageListingResultSchema,
    sizing: { memoryMb: 512, timeoutSeconds: 5 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: false,
  }),
  // One folder listed, a LIST request per 1,000 images, its table part written (≈ 100 bytes an image).
  ListImages: task({
    folder: 'list-images',
    create: createListImagesHandler,
    result: listImagesResultSchema,
    sizing: { memoryMb: 1024, timeoutSeconds: 15 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: true,
  }),
  // 1,769 MB is one full vCPU: tokenizing is CPU-bound. Reads runs/ to skip chunks a retry finds done.
  Tokenize: task({
    folder: 'tokenize',
    create: createTokenizeHandler,
    result: tokenizeResultSchema,
    sizing: { memoryMb: 1769, timeoutSeconds: 15 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: true,
  }),
  // Single calls whose memory grows with the samples (docs/scale.md has their ceilings at 10 GB).
  MergeIndex: task({
    folder: 'merge-index',
    create: createMergeIndexHandler,
    result: mergeIndexResultSchema,
    sizing: { memoryMb: 10240, timeoutSeconds: 15 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: false,
  }),
  PlanShards: task({
    folder: 'plan-shards',
    create: createPlanShardsHandler,
    result: planShardsResultSchema,
    sizing: { memoryMb: 10240, timeoutSeconds: 15 * MINUTE },
    access: DATASET_AND_RUN,
    mapChild: false,
  }),
  // One tokens file in, its rows for every epoch out (≈ (1 + epochs) × the file's tokens in memory).
  Route: task({
    folder: 'route',
    create: createRouteHandler,
    result: routeResultSchema,
    sizing: { memoryMb: 3008, timeoutSeconds: 15 * MINUTE },
    access: RUN_ONLY,
    mapChild: true,
  }),
  // One section: assembleTokensPerCall tokens (256 MiB by default) routed in, each rank's files encoded out.
  Assemble: task({
    folder: 'assemble',
    create: createAssembleHandler,
    result: assembleResultSchema,
    sizing: { memoryMb: 3008, timeoutSeconds: 15 * MINUTE },
    access: RUN_ONLY,
    mapChild: true,
  }),
  // Reads the Assemble results (small JSON), writes the manifests, deletes the routed objects.
  FinishShards: task({
    folder: 'finish-shards',
    create: createFinishShardsHandler,
    result: finishShardsResultSchema,
    sizing: { memoryMb: 1024, timeoutSeconds: 15 * MINUTE },
    access: RUN_AND_WORK,
    mapChild: false,
  }),
  // One section's shard files verified (sha256 of every byte) and decoded: Assemble's size.
  AuditPartial: task({
    folder: 'audit-partial',
    create: createAuditPartialHandler,
    result: auditPartialResultSchema,
    sizing: { memoryMb: 3008, timeoutSeconds: 15 * MINUTE },
    access: RUN_ONLY,
    mapChild: true,
  }),
  // The reduce: every epoch's digests (ids and lengths, never tokens) and four index columns.
  Audit: task({
    folder: 'audit',
    create: createAuditHandler,
    result: auditResultSchema,
    sizing: { memoryMb: 10240, timeoutSeconds: 15 * MINUTE },
    access: RUN_AND_WORK,
    mapChild: false,
  }),
  // Digests the step records (small JSON files) and writes run.json.
  CompleteRun: task({
    folder: 'complete-run',
    create: createCompleteRunHandler,
    result: completeRunResultSchema,
    sizing: { memoryMb: 512, timeoutSeconds: 5 * MINUTE },
    access: RUN_ONLY,
    mapChild: false,
  }),
} as const satisfies { readonly [K in PipelineTaskName]: PipelineTask };

/** What task `N` returns. */
export type TaskResult<N extends PipelineTaskName> = z.output<(typeof PIPELINE_TASKS)[N]['result']>;
