import { z } from 'zod';
import { relativePathSchema } from '../lib/core/dataset/relative-path.js';
import { invalidInputFromZod } from '../lib/core/spec/zod-issues.js';
import { chunkTaskSchema } from '../lib/run/chunk-task-schema.js';

/** Where datasets live in the bucket; the EventBridge rule starts a run per `dataset.json`. */
export const DATASETS_PREFIX = 'datasets/';
/** Where runs write; each execution gets `runs/<execution name>/`. */
export const RUNS_PREFIX = 'runs/';

const datasetPrefixSchema = relativePathSchema.refine((p) => p.startsWith(DATASETS_PREFIX), {
  error: `must be a folder under ${DATASETS_PREFIX}`,
});
const runPrefixSchema = relativePathSchema.refine((p) => p.startsWith(RUNS_PREFIX), { error: `must be a folder under ${RUNS_PREFIX}` });

/** Prepare's input: the uploaded `dataset.json` key and the execution name as run id. */
export const prepareEventSchema = z
  .object({
    datasetKey: relativePathSchema.refine((key) => key.startsWith(DATASETS_PREFIX) && key.endsWith('/dataset.json'), {
      error: `must be ${DATASETS_PREFIX}<name>/dataset.json; upload the dataset folder under ${DATASETS_PREFIX}`,
    }),
    // Step Functions execution names: 1–80 characters of this set.
    runId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'must be 1–80 letters, digits, "-" or "_" (an execution name)' }),
  })
  .strict();

/** The folders a run works in; what every state after Prepare receives. */
export const runRefSchema = z.object({ datasetPrefix: datasetPrefixSchema, runPrefix: runPrefixSchema });

/** Tokenize's input: one ItemBatcher batch (`BatchInput` from the state, `Items` from chunks.json). */
export const tokenizeEventSchema = z
  .object({ BatchInput: runRefSchema, Items: z.array(chunkTaskSchema).min(1, { error: 'a batch must hold at least one chunk' }) })
  .strict();

export type PrepareEvent = z.infer<typeof prepareEventSchema>;
export type RunRef = z.infer<typeof runRefSchema>;
export type TokenizeEvent = z.infer<typeof tokenizeEventSchema>;

/**
 * Validate a Lambda event: InvalidInput naming the first bad field (`event.runId`), so the state
 * machine's Catch sends it to Fail instead of retrying.
 */
export function parseEvent<T extends z.ZodType>(schema: T, event: unknown): z.output<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw invalidInputFromZod('event', parsed.error);
  return parsed.data;
}
