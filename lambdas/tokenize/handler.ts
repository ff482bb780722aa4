import { createTokenizeHandler } from '../../lib/run/pipeline/tokenize-task.js';
import { bucketRoot } from '../bucket-store.js';

/** Tokenize: one Distributed Map batch of chunks (see lib/run/pipeline/tokenize-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createTokenizeHandler(bucketRoot);
