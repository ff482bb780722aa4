import { CHUNKS_KEY } from '../../core/run-layout.js';
import { CorruptArtifactError, InvalidInputError, ObjectNotFoundError } from '../../core/errors.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { Tokenizer } from '../../core/tokenize/tokenizer.js';
import type { ObjectStore } from '../../io/object-store.js';
import { chunkListSchema } from '../../core/corpus/chunk-task-schema.js';
import { readCompletedRun } from '../run-record.js';
import { hashObject } from '../hash-object.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { planDatasetChunks } from './plan-dataset-chunks.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { fingerprintRun, runIdOf } from './run-id.js';
import type { ChunkTask } from '../../core/corpus/chunk-task-schema.js';


/** What Prepare reports: the run's identity and counts; the chunk list itself stays in the store. */
export interface PreparedRun {
  readonly runId: string;
  readonly runFingerprint: string;
  /** A run of the same inputs already finished (its run.json exists): there is nothing to do. */
  readonly complete: boolean;
  readonly dataset: string;
  readonly sources: number;
  /** Chunks to tokenize (0 when complete: nothing was planned). */
  readonly chunks: number;
  readonly chunksKey: string;
}

/**
 * Start a run: validate `dataset.json` whole (shard spec included, so a bad spec fails before any
 * tokenizing is paid for), load the tokenizer (a missing one fails here, not in every chunk), hash
 * every source in streamed ranged reads, and name the run by the fingerprint of all of it. A run
 * of the same inputs that already completed is reported as such, with nothing written; otherwise
 * every source is split into record-aligned chunks and the chunk list is written as a plain JSON
 * array, the shape a Distributed Map ItemReader reads.
 */
export async function prepareRun(dataset: ObjectStore, openRun: (runId: string) => ObjectStore): Promise<PreparedRun> {
  const { config, shard } = await readDatasetConfig(dataset);
  const tokenizer = await loadTokenizerNamed(dataset, config);
  const sources = [];
  for (const source of config.sources) sources.push({ path: source.path, ...(await hashObject(dataset, source.path)) });
  const runFingerprint = fingerprintRun({ config, shard, tokenizerFingerprint: tokenizer.fingerprint, sources });
  const runId = runIdOf(runFingerprint);
  const run = openRun(runId);
  const base = { runId, runFingerprint, dataset: config.name, sources: sources.length, chunksKey: CHUNKS_KEY };
  if ((await readCompletedRun(run)) !== undefined) return { ...base, complete: true, chunks: 0 };
  const tasks = await planDatasetChunks(dataset, config);
  await run.put(CHUNKS_KEY, JSON.stringify(tasks));
  return { ...base, complete: false, chunks: tasks.length };
}

/** The dataset's tokenizer; a tokenizer file that is not there is the config's fault, said so. */
async function loadTokenizerNamed(dataset: ObjectStore, config: DatasetConfig): Promise<Tokenizer> {
  try {
    return await loadDatasetTokenizer(dataset, config);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    throw new InvalidInputError(
      `${dataset.location}/dataset.json.tokenizer`,
      `${error.location} does not exist; put tokenizer.json (and tokenizer_config.json) there, or name a tokenizer shipped by npm: {"npm": "llama3"}`,
    );
  }
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
