import { DATASETS_PREFIX, RUNS_PREFIX } from '../../core/run-layout.js';
import { z } from 'zod';
import { relativePathSchema } from '../../core/dataset/relative-path.js';
import { invalidInputFromZod } from '../../core/spec/zod-issues.js';
import { chunkTaskSchema } from '../../core/corpus/chunk-task-schema.js';
import { routeItemSchema, shardSectionSchema } from '../../core/shards/shard-sections.js';
import { sourceBlockSchema } from '../../core/dataset/source-blocks.js';
import { imageListingItemSchema } from '../tokenize/image-table-layout.js';

const datasetPrefixSchema = relativePathSchema.refine((p) => p.startsWith(DATASETS_PREFIX), {
  error: `must be a folder under ${DATASETS_PREFIX}`,
});
const runPrefixSchema = relativePathSchema.refine((p) => p.startsWith(RUNS_PREFIX), { error: `must be a folder under ${RUNS_PREFIX}` });

/** Prepare's input: the uploaded `dataset.json` key (from the S3 Object Created event). */
export const prepareEventSchema = z
  .object({
    datasetKey: relativePathSchema.refine((key) => key.startsWith(DATASETS_PREFIX) && key.endsWith('/dataset.json'), {
      error: `must be ${DATASETS_PREFIX}<name>/dataset.json; upload the dataset folder under ${DATASETS_PREFIX}`,
    }),
    /** The execution running Prepare (`$$.Execution`): it takes the run lock in its name. */
    execution: z
      .object({ name: z.string().min(1), id: z.string().min(1) })
      .strict()
      .optional(),
    /** The folder where HashSources recorded the sources' block digests (absent: Prepare hashes them itself). */
    stagePrefix: runPrefixSchema.optional(),
  })
  .strict();

/** PlanSourceHashes' input: the upload and the execution (its name names the staging folder). */
export const planSourceHashesEventSchema = prepareEventSchema
  .pick({ datasetKey: true })
  .extend({ execution: z.object({ name: z.string().regex(/^[0-9A-Za-z_-]{1,80}$/, { error: 'must be an execution name' }), id: z.string().min(1) }).strict() })
  .strict();

/** HashSource's input: one block of the staging folder's source-blocks.json, with the dataset and the staging folder. */
export const hashSourceEventSchema = z.object({ datasetPrefix: datasetPrefixSchema, stagePrefix: runPrefixSchema }).extend(sourceBlockSchema.shape).strict();

/** The folders a run works in; what every state after Prepare receives. */
export const runRefSchema = z.object({ datasetPrefix: datasetPrefixSchema, runPrefix: runPrefixSchema });

/** Tokenize's input: one ItemBatcher batch (`BatchInput` from the state, `Items` from chunks.json). */
export const tokenizeEventSchema = z
  .object({ BatchInput: runRefSchema, Items: z.array(chunkTaskSchema).min(1, { error: 'a batch must hold at least one chunk' }) })
  .strict();

/** ListImages' input: one folder of the image root to list into a part of the run's image table. */
export const listImagesEventSchema = runRefSchema.extend(imageListingItemSchema.shape).strict();

/** Route's input: one item of the run's route-work.json (a tokens file), with the run. */
export const routeEventSchema = runRefSchema.extend(routeItemSchema.shape).strict();

/** Assemble's and AuditPartial's input: one item of the run's shard-work.json (a section: an epoch's rank range), with the run. */
export const sectionEventSchema = runRefSchema.extend(shardSectionSchema.shape).strict();

/** CompleteRun's input: the run, and what each earlier step reported (keys and counts, by step). */
export const completeRunEventSchema = runRefSchema
  .extend({
    runId: z.string().regex(/^[0-9a-f]{8,64}$/, { error: 'must be the run id Prepare computed (lowercase hex)' }),
    outputs: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .strict();

export type PrepareEvent = z.infer<typeof prepareEventSchema>;
export type RunRef = z.infer<typeof runRefSchema>;
export type TokenizeEvent = z.infer<typeof tokenizeEventSchema>;
export type RouteEvent = z.infer<typeof routeEventSchema>;
export type SectionEvent = z.infer<typeof sectionEventSchema>;
export type CompleteRunEvent = z.infer<typeof completeRunEventSchema>;

/**
 * Validate a task's event: InvalidInput naming the first bad field (`event.datasetKey`), so the
 * state machine's Catch sends it to Fail instead of retrying.
 */
export function parseEvent<T extends z.ZodType>(schema: T, event: unknown): z.output<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw invalidInputFromZod('event', parsed.error);
  return parsed.data;
}
