import { serveWorkerTasks } from '../../local/worker-task.js';
import { openStore } from '../../io/open-store.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { createChunkTokenizer, tokenizeChunk, type ChunkTask } from './tokenize-chunk.js';
import { nameChunkError } from './chunk-error.js';
import { datasetImageFacts } from './image-facts-source.js';

/** What every tokenize worker is started with. */
export interface TokenizeWorkerData {
  readonly datasetLocation: string;
  readonly outLocation: string;
  readonly outPrefix: string;
}

// One worker: load the config and tokenizer once, then tokenize chunks as they come.
serveWorkerTasks(
  async (data) => {
    const { datasetLocation, outLocation, outPrefix } = data as TokenizeWorkerData;
    const store = openStore(datasetLocation);
    const { config } = await readDatasetConfig(store);
    const bound = await createChunkTokenizer(config, await loadDatasetTokenizer(store, config));
    // One image cache per worker: an image several of its chunks refer to is checked once.
    return { dataset: { store, config, images: datasetImageFacts(store, config) }, bound, out: { store: openStore(outLocation), prefix: outPrefix } };
  },
  (state, task: ChunkTask) =>
    tokenizeChunk(task, state.dataset, state.bound, state.out).catch((error: unknown) => {
      throw nameChunkError(error, task);
    }),
);
