import { CHUNKS_KEY } from '../../core/run-layout.js';
import { CorruptArtifactError, InvalidInputError, ObjectNotFoundError } from '../../core/errors.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { Tokenizer } from '../../core/tokenize/tokenizer.js';
import type { ObjectStore } from '../../io/object-store.js';
import { chunkListSchema } from '../../core/corpus/chunk-task-schema.js';
import { readCompletedRun } from '../run-record.js';
import { readHashedBlocks } from './source-hashes.js';
import { readSourceHeads } from './detect-source.js';
import { sourceIdentities } from '../../core/dataset/source-blocks.js';
import { refuseOversizedDataset } from './estimate-samples.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { planDatasetChunks } from './plan-dataset-chunks.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { fingerprintRun, runIdOf } from './run-id.js';
import { runLockFor } from './execution-liveness.js';
import { acquireRunLock, type ExecutionLiveness } from './run-lock.js';
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
  /** Another execution holds the run lock (identical inputs, still running): nothing was written. */
  readonly inProgressBy?: string;
  /** JSON-array sources whose block summaries could not answer (pathological input): scanned whole, and why. */
  readonly wholeScans?: WholeScan[];
}

/** A source Prepare scanned whole although HashSources summarised its blocks. */
export interface WholeScan {
  readonly source: string;
  readonly reason: string;
}

/** The run lock Prepare takes before writing (see run-lock.ts); without it no lock is taken. */
export interface PrepareLock {
  /** The store of the bucket's `runs/` (locks sit beside the run folders). */
  readonly runs: ObjectStore;
  /** The execution running this Prepare. */
  readonly execution: { readonly name: string; readonly id: string };
  readonly isRunning: ExecutionLiveness;
}

/**
 * Start a run: validate `dataset.json` whole (shard spec included, so a bad spec fails before any
 * tokenizing is paid for), load the tokenizer (a missing one fails here, not in every chunk), take
 * every source's identity from the blocks HashSources hashed (`hashed`: their records; hashed here
 * without it), and name the run by the fingerprint of all of it. A run
 * of the same inputs that already completed is reported as such, with nothing written; otherwise
 * every source is split into record-aligned chunks and the chunk list is written as a plain JSON
 * array, the shape a Distributed Map ItemReader reads. With `lock`, the run's lock is taken first:
 * if another execution still writes the same run, this one returns `inProgressBy` and writes nothing.
 */
export async function prepareRun(
  dataset: ObjectStore,
  openRun: (runId: string) => ObjectStore,
  lock?: PrepareLock,
  hashed?: ObjectStore,
): Promise<PreparedRun> {
  const { config, shard } = await readDatasetConfig(dataset);
  // A corpus beyond the single-call states' limits fails now, not an hour in; nothing is written.
  // Each source's size and first bytes, read once for the estimate, the identity and the chunk plan.
  const heads = await readSourceHeads(dataset, config);
  refuseOversizedDataset(dataset, heads, shard);
  const tokenizer = await loadTokenizerNamed(dataset, config);
  // Hashed block by block by the HashSources fan-out (its records in `hashed`), or here without one.
  const read = await readHashedBlocks(dataset, config, hashed, heads);
  const sources = sourceIdentities(read.sizes, read.blockBytes, read.blocks);
  const runFingerprint = fingerprintRun({ config, shard, tokenizerFingerprint: tokenizer.fingerprint, sources });
  const runId = runIdOf(runFingerprint);
  const run = openRun(runId);
  const base = { runId, runFingerprint, dataset: config.name, sources: sources.length, chunksKey: CHUNKS_KEY };
  if ((await readCompletedRun(run)) !== undefined) return { ...base, complete: true, chunks: 0 };
  // JSON arrays are planned from the fan-out's block summaries (no source bytes) where it ran.
  const wholeScans: WholeScan[] = [];
  const summaries =
    hashed === undefined ? undefined : { blocks: read.blocks, onWholeScan: (source: string, reason: string) => wholeScans.push({ source, reason }) };
  const tasks = await planDatasetChunks(dataset, config, summaries, heads);
  const scanned = wholeScans.length > 0 ? { wholeScans } : {};
  if (lock !== undefined) {
    // Two executions on identical inputs: the one that does not get the lock writes nothing.
    const outcome = await acquireRunLock(lock.runs, runLockFor(runId, lock.execution), lock.isRunning);
    if (!outcome.acquired) return { ...base, complete: false, chunks: 0, inProgressBy: outcome.holder.execution, ...scanned };
  }
  await run.put(CHUNKS_KEY, JSON.stringify(tasks));
  return { ...base, complete: false, chunks: tasks.length, ...scanned };
}

/** The dataset's tokenizer; a tokenizer file that is not there is the config's fault, said so. */
export async function loadTokenizerNamed(dataset: ObjectStore, config: DatasetConfig): Promise<Tokenizer> {
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
