import { createWriteShardsHandler } from '../../lib/run/pipeline/write-shards-task.js';
import { bucketRoot } from '../bucket-store.js';

/** WriteShards: one Distributed Map item, the shard files of an epoch's rank range (see lib/run/pipeline/write-shards-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createWriteShardsHandler(bucketRoot);
