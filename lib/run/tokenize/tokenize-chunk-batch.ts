import { z } from 'zod';
import { canonicalJson } from '../../core/fingerprint.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { ObjectStore } from '../../io/object-store.js';
import { chunkTaskSchema } from '../../core/corpus/chunk-task-schema.js';
import { loadDatasetTokenizer } from './load-dataset-tokenizer.js';
import { readDatasetConfig } from '../prepare/read-dataset-config.js';
import { readStepResult, runStepOnce } from '../pipeline/step-record.js';
import { chunkKeys, createChunkTokenizer, tokenizeChunk, type ChunkSummary, type ChunkTask, type ChunkTokenizer } from './tokenize-chunk.js';

const chunkSummarySchema: z.ZodType<ChunkSummary> = z
  .object({
    task: chunkTaskSchema,
    samples: z.number().int().min(0),
    rejects: z.number().int().min(0),
    tokens: z.number().int().min(0),
    keys: z.object({ tokens: z.string(), index: z.string(), rejects: z.string() }).strict(),
  })
  .strict();

/** The step that tokenizes one chunk: `tokenize/part-SSSS-CCCCCC`. */
export function chunkStepName(task: Pick<ChunkTask, 'sourceIndex' | 'chunkIndex'>): string {
  return `tokenize/${chunkKeys('', task).tokens.slice('tokens/'.length, -'.arrow'.length)}`;
}

/** What the chunk's completed step recorded (its outputs' keys and counts). */
export function readChunkSummary(run: ObjectStore, task: ChunkTask): Promise<ChunkSummary> {
  return readStepResult(run, chunkStepName(task), chunkSummarySchema);
}

/** Totals of one batch of chunks (their outputs are at `chunkKeys('', task)` in the run store). */
export interface ChunkBatchTotals {
  readonly chunks: number;
  /** Chunks whose outputs an earlier attempt had already completed (verified, not redone). */
  readonly skipped: number;
  readonly samples: number;
  readonly rejects: number;
  readonly tokens: number;
}

/** Reuses one bound tokenizer across batches of the same dataset config (warm Lambdas, pool workers). */
export class ChunkTokenizerCache {
  private cached: { key: string; bound: Promise<ChunkTokenizer> } | undefined;

  get(dataset: ObjectStore, config: DatasetConfig): Promise<ChunkTokenizer> {
    const key = `${dataset.location}\n${canonicalJson(config)}`;
    if (this.cached?.key !== key) {
      const bound = loadDatasetTokenizer(dataset, config).then((tokenizer) => createChunkTokenizer(config, tokenizer));
      this.cached = { key, bound };
      bound.catch(() => (this.cached = undefined));
    }
    return this.cached.bound;
  }
}

/**
 * Tokenize a batch of chunks into the run's folder, each chunk a step done at most once (its
 * outputs verified by digest on a retry or resumed run). An error is re-raised with the same name
 * (so Retry/Catch still match it) and a message that names the chunk.
 */
export async function tokenizeChunkBatch(dataset: ObjectStore, run: ObjectStore, tasks: readonly ChunkTask[], cache = new ChunkTokenizerCache()): Promise<ChunkBatchTotals> {
  const { config } = await readDatasetConfig(dataset);
  const totals = { chunks: 0, skipped: 0, samples: 0, rejects: 0, tokens: 0 };
  for (const task of tasks) {
    const step = chunkStepName(task);
    try {
      const { result, skipped } = await runStepOnce(run, step, chunkSummarySchema, async (out) =>
        tokenizeChunk(task, { store: dataset, config }, await cache.get(dataset, config), { store: out, prefix: '' }),
      );
      totals.chunks += 1;
      totals.skipped += skipped ? 1 : 0;
      totals.samples += result.samples;
      totals.rejects += result.rejects;
      totals.tokens += result.tokens;
    } catch (error) {
      throw nameChunk(error, task);
    }
  }
  return totals;
}

/** The same error (class, name, data) with the chunk it happened in prefixed to its message. */
function nameChunk(error: unknown, task: ChunkTask): Error {
  const named = error instanceof Error ? error : new Error(String(error));
  named.message = `chunk ${task.chunkIndex} of ${task.source} (bytes ${task.byteStart}–${task.byteEnd}): ${named.message}`;
  return named;
}
