import { MegashardError, UnexpectedError } from '../../core/errors.js';
import type { ChunkTask } from '../../core/corpus/chunk-task-schema.js';

/** `Tokenize, chunk 3 of data/x.json (bytes 0–1024)`: where in a run a chunk's error happened. */
export function describeChunk(task: Pick<ChunkTask, 'chunkIndex' | 'source' | 'byteStart' | 'byteEnd'>): string {
  return `Tokenize, chunk ${task.chunkIndex} of ${task.source} (bytes ${task.byteStart}–${task.byteEnd})`;
}

/**
 * An error of a chunk, named by task, chunk and source. Our own errors keep their class and name
 * (so Step Functions Retry/Catch still match them) with the chunk prefixed to the message; any
 * other exception is a bug, and becomes an UnexpectedError that says so (no raw message, no stack).
 */
export function nameChunkError(error: unknown, task: ChunkTask): Error {
  if (!(error instanceof MegashardError)) return new UnexpectedError(describeChunk(task), error);
  error.message = `${describeChunk(task)}: ${error.message}`;
  return error;
}
