import { z } from 'zod';
import { recordShapeSchema } from './source-format.js';
import { relativePathSchema } from '../dataset/relative-path.js';

const offset = z.number().int().nonnegative();

/**
 * One {@link ChunkTask} as it crosses a boundary (the chunk list in the bucket, a Step Functions
 * batch). It is re-validated there because the bytes could have been edited or truncated.
 */
export const chunkTaskSchema = z
  .object({
    sourceIndex: offset,
    source: relativePathSchema,
    chunkIndex: offset,
    byteStart: offset,
    byteEnd: offset,
    endOfSource: z.boolean(),
    format: z.object({ container: z.enum(['json-array', 'jsonl']), shape: recordShapeSchema }).strict(),
  })
  .strict()
  .refine((task) => task.byteEnd >= task.byteStart, { error: 'byteEnd must be ≥ byteStart', path: ['byteEnd'] })
  .readonly();

/** One chunk of one source: bytes [byteStart, byteEnd), starting on a record boundary. */
export type ChunkTask = z.infer<typeof chunkTaskSchema>;

/** The chunk list Prepare writes and the Distributed Map reads. */
export const chunkListSchema = z.array(chunkTaskSchema);
