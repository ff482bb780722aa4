import { createMergeIndexHandler } from '../../lib/run/pipeline/merge-index-task.js';
import { bucketRoot } from '../bucket-store.js';

/** MergeIndex: merge the chunks' index parts (see lib/run/pipeline/merge-index-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createMergeIndexHandler(bucketRoot);
