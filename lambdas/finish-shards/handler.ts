import { createFinishShardsHandler } from '../../lib/run/pipeline/finish-shards-task.js';
import { bucketRoot } from '../bucket-store.js';

/** FinishShards: every epoch's shard manifest, then shards/manifest.json (see lib/run/pipeline/finish-shards-task.ts). Built at module scope: a warm Lambda reuses it. */
export const handler = createFinishShardsHandler(bucketRoot);
