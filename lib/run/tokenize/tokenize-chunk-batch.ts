import { z } from 'zod';
import { canonicalJson } from '../../core/fingerprint.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { ObjectStore } from '../../io/object-store.js';
import { chunkTaskSchema } from '../../core/corpus/chunk-task-schema.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { nameChunkError } from './chunk-error.js';
import { datasetImageFacts } from './image-facts-source.js';
import { runImageFacts } from './table-image-facts.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { readStepResult, runStepOnce } from '../step-record.js';
import {
  chunkKeys,
  chunkSummarySchema,
  createChunkTokenizer,
  tokenizeChunk,
  type ChunkSummary,
  type ChunkTask,
  type ChunkTokenizer,
} from './tokenize-chunk.js';

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
 * outputs verified by digest on a retry or resumed run). An error is re-raised naming the task,
 * chunk and source: ours keep their name (so Retry/Catch still match them), anything else is an
 * UnexpectedError.
 */
export async function tokenizeChunkBatch(
  dataset: ObjectStore,
  run: ObjectStore,
  tasks: readonly ChunkTask[],
  cache = new ChunkTokenizerCache(),
): Promise<ChunkBatchTotals> {
  const { config } = await readDatasetConfig(dataset);
  // One image cache for the whole batch: an image several chunks refer to is checked once; where
  // ListImages listed the image folders, the run's image table answers without a request.
  const images = await runImageFacts(run, datasetImageFacts(dataset, config));
  const totals = { chunks: 0, skipped: 0, samples: 0, rejects: 0, tokens: 0 };
  for (const task of tasks) {
    const step = chunkStepName(task);
    try {
      const { result, skipped } = await runStepOnce(run, step, chunkSummarySchema, async (out) =>
        tokenizeChunk(task, { store: dataset, config, images }, await cache.get(dataset, config), { store: out, prefix: '' }),
      );
      totals.chunks += 1;
      totals.skipped += skipped ? 1 : 0;
      totals.samples += result.samples;
      totals.rejects += result.rejects;
      totals.tokens += result.tokens;
    } catch (error) {
      throw nameChunkError(error, task);
    }
  }
  return totals;
}
