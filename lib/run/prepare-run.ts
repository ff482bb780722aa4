import { CorruptArtifactError } from '../core/errors.js';
import type { ObjectStore } from '../io/object-store.js';
import { chunkListSchema } from './chunk-task-schema.js';
import { planDatasetChunks } from './plan-dataset-chunks.js';
import { readDatasetConfig } from './read-dataset-config.js';
import type { ChunkTask } from './tokenize-chunk.js';

/** The chunk list of a run, relative to the run's folder: a JSON array of ChunkTask. */
export const CHUNKS_KEY = 'chunks.json';

/** What Prepare reports: counts only, the chunk list itself stays in the store. */
export interface PreparedRun {
  readonly dataset: string;
  readonly sources: number;
  readonly chunks: number;
  readonly chunksKey: string;
}

/**
 * Start a run: validate `dataset.json` whole (shard spec included, so a bad spec fails before any
 * tokenizing is paid for), split every source into record-aligned chunks and write the chunk list
 * as a plain JSON array, the shape a Distributed Map ItemReader reads.
 */
export async function prepareRun(dataset: ObjectStore, run: ObjectStore): Promise<PreparedRun> {
  const { config } = await readDatasetConfig(dataset);
  const tasks = await planDatasetChunks(dataset, config);
  await run.put(CHUNKS_KEY, JSON.stringify(tasks));
  return { dataset: config.name, sources: config.sources.length, chunks: tasks.length, chunksKey: CHUNKS_KEY };
}

/** The chunk list a run's Prepare wrote, re-validated (CorruptArtifact if it is not one). */
export async function readChunkList(run: ObjectStore): Promise<ChunkTask[]> {
  const where = `${run.location}/${CHUNKS_KEY}`;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(await run.get(CHUNKS_KEY)));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new CorruptArtifactError(where, `is not valid JSON (${error.message}); rerun Prepare`);
  }
  const parsed = chunkListSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptArtifactError(where, `[${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}; rerun Prepare`);
  }
  return parsed.data;
}
