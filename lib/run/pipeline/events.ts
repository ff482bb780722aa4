import { DATASETS_PREFIX, RUNS_PREFIX } from '../../core/run-layout.js';
import { z } from 'zod';
import { relativePathSchema } from '../../core/dataset/relative-path.js';
import { invalidInputFromZod } from '../../core/spec/zod-issues.js';
import { chunkTaskSchema } from '../../core/corpus/chunk-task-schema.js';


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
  })
  .strict();

/** The folders a run works in; what every state after Prepare receives. */
export const runRefSchema = z.object({ datasetPrefix: datasetPrefixSchema, runPrefix: runPrefixSchema });

/** Tokenize's input: one ItemBatcher batch (`BatchInput` from the state, `Items` from chunks.json). */
export const tokenizeEventSchema = z
  .object({ BatchInput: runRefSchema, Items: z.array(chunkTaskSchema).min(1, { error: 'a batch must hold at least one chunk' }) })
  .strict();

/** WriteShards' input: one item of the run's shard-work.json (ranks [from, to) of an epoch), with the run. */
export const writeShardsEventSchema = runRefSchema
  .extend({
    epoch: z.number().int().min(0),
    ranks: z
      .tuple([z.number().int().min(0), z.number().int().min(1)])
      .refine(([from, to]) => from < to, { error: 'must be [from, to) with from < to' }),
  })
  .strict();

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
export type WriteShardsEvent = z.infer<typeof writeShardsEventSchema>;
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
