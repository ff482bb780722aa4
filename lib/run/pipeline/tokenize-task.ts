import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { ChunkTokenizerCache, tokenizeChunkBatch } from '../tokenize/tokenize-chunk-batch.js';
import { parseEvent, tokenizeEventSchema } from './events.js';

const count = z.number().int().min(0);

/** What one Tokenize call returns: the batch's totals (the data stays in the run's folder). */
export const tokenizeResultSchema = z.object({ chunks: count, skipped: count, samples: count, rejects: count, tokens: count }).strict();

/**
 * Tokenize: one Distributed Map batch of chunks. Outputs go to the run's tokens/, index-parts/ and
 * rejects/ folders under keys derived from each chunk; only totals are returned. The tokenizer is
 * kept between calls (a warm Lambda, a pool worker) while the dataset config stays the same.
 */
export function createTokenizeHandler(root: StoreRoot) {
  const cache = new ChunkTokenizerCache();
  return async (event: unknown): Promise<z.output<typeof tokenizeResultSchema>> => {
    const { BatchInput, Items } = parseEvent(tokenizeEventSchema, event);
    return tokenizeChunkBatch(root.openUnder(BatchInput.datasetPrefix), root.openUnder(BatchInput.runPrefix), Items, cache);
  };
}
