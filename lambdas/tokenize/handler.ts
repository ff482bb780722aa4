import { tokenizeChunkBatch } from '../../lib/run/tokenize-chunk-batch.js';
import { openBucketStore } from '../bucket-store.js';
import { parseEvent, tokenizeEventSchema } from '../events.js';

/**
 * Tokenize: one Distributed Map batch of chunks. Outputs go to the run's tokens/, index-parts/ and
 * rejects/ folders under keys derived from each chunk; only totals are returned.
 */
export async function handler(event: unknown) {
  const { BatchInput, Items } = parseEvent(tokenizeEventSchema, event);
  return tokenizeChunkBatch(openBucketStore(BatchInput.datasetPrefix), openBucketStore(BatchInput.runPrefix), Items);
}
