import { DUPLICATES_KEY, INDEX_KEY } from '../../core/run-layout.js';
import { openStore } from '../../io/open-store.js';
import { runInWorkers } from '../../local/worker-pool.js';
import type { TokenizeWorkerData } from './tokenize-worker.js';
import { writeMergedIndex } from './merge-run-index.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { planDatasetChunks } from '../prepare/plan-dataset-chunks.js';
import { buildTokenizeManifest, writeTokenizeManifest, type TokenizeManifest } from './tokenize-manifest.js';
import { createChunkTokenizer, tokenizeChunk, type ChunkSummary } from './tokenize-chunk.js';
import { nameChunkError } from './chunk-error.js';
import { datasetImageFacts } from './image-facts-source.js';

export { DUPLICATES_KEY, INDEX_KEY };
export type { TokenizeManifest };

/** Options of {@link tokenizeDatasetLocally}. */
export interface TokenizeDatasetLocallyOptions {
  readonly datasetLocation: string;
  readonly outLocation: string;
  /** Worker threads; 1 tokenizes in this thread. Outputs are the same for any count. */
  readonly workers: number;
  readonly onChunk?: (done: number, total: number) => void;
}

/**
 * Tokenize a dataset folder on every core: plan record-aligned chunks, tokenize them in worker
 * threads (each loads the tokenizer once), merge the index parts into the global length index
 * (duplicate ids removed and reported), and write `tokenize.json` last, listing every chunk's
 * tokens, length-index part and rejects.
 */
export async function tokenizeDatasetLocally(options: TokenizeDatasetLocallyOptions): Promise<TokenizeManifest> {
  const store = openStore(options.datasetLocation);
  const out = openStore(options.outLocation);
  const { config } = await readDatasetConfig(store);
  const tokenizer = await loadDatasetTokenizer(store, config);
  const tasks = await planDatasetChunks(store, config);
  let done = 0;
  const progress = () => options.onChunk?.(++done, tasks.length);
  let chunks: ChunkSummary[];
  if (options.workers <= 1) {
    const bound = await createChunkTokenizer(config, tokenizer);
    const images = datasetImageFacts(store, config);
    chunks = [];
    for (const task of tasks) {
      chunks.push(
        await tokenizeChunk(task, { store, config, images }, bound, { store: out, prefix: '' }).catch((error: unknown) => {
          throw nameChunkError(error, task);
        }),
      );
      progress();
    }
  } else {
    const workerData: TokenizeWorkerData = { datasetLocation: store.location, outLocation: out.location, outPrefix: '' };
    chunks = await runInWorkers<(typeof tasks)[number], ChunkSummary>(tasks, { entry: workerEntry(), workerData, workers: options.workers, onDone: progress });
  }
  const parts = chunks.map((chunk) => ({ sourceIndex: chunk.task.sourceIndex, key: chunk.keys.index }));
  const merged = await writeMergedIndex(
    out,
    parts,
    config.sources.map((source) => source.path),
  );
  const manifest = buildTokenizeManifest(config, tokenizer.fingerprint, chunks, merged);
  await writeTokenizeManifest(out, manifest);
  return manifest;
}

/** The worker module next to this one: compiled .js in dist/, .ts when run from source (tests). */
function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./tokenize-worker.${extension}`, import.meta.url);
}
