import { serveWorkerTasks } from '../../local/worker-task.js';
import { openStore } from '../../io/open-store.js';
import { readDatasetConfig } from '../prepare/read-dataset-config.js';
import { loadDatasetTokenizer } from './load-dataset-tokenizer.js';
import { createChunkTokenizer, tokenizeChunk, type ChunkTask } from './tokenize-chunk.js';

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
    return { dataset: { store, config }, bound, out: { store: openStore(outLocation), prefix: outPrefix } };
  },
  (state, task: ChunkTask) => tokenizeChunk(task, state.dataset, state.bound, state.out),
);
