import type { ObjectStore } from '../io/object-store.js';
import { loadDatasetTokenizer } from './load-dataset-tokenizer.js';
import { readDatasetConfig } from './read-dataset-config.js';
import { createChunkTokenizer, tokenizeChunk, type ChunkTask } from './tokenize-chunk.js';

/** Totals of one batch of chunks (their outputs are at `chunkKeys('', task)` in the run store). */
export interface ChunkBatchTotals {
  readonly chunks: number;
  readonly samples: number;
  readonly rejects: number;
  readonly tokens: number;
}

/**
 * Tokenize a batch of chunks into the run's folder: the config and tokenizer are loaded once per
 * batch (a Distributed Map batch is one Lambda call), then every chunk is tokenized in order.
 */
export async function tokenizeChunkBatch(dataset: ObjectStore, run: ObjectStore, tasks: readonly ChunkTask[]): Promise<ChunkBatchTotals> {
  const { config } = await readDatasetConfig(dataset);
  const bound = await createChunkTokenizer(config, await loadDatasetTokenizer(dataset, config));
  const totals = { chunks: 0, samples: 0, rejects: 0, tokens: 0 };
  for (const task of tasks) {
    const summary = await tokenizeChunk(task, { store: dataset, config }, bound, { store: run, prefix: '' });
    totals.chunks += 1;
    totals.samples += summary.samples;
    totals.rejects += summary.rejects;
    totals.tokens += summary.tokens;
  }
  return totals;
}
