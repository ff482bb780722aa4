/**
 * The public Node API for training jobs: iterate a rank's micro-batches in place (`openShard`),
 * or download a rank's shard, verified and resumable (`pullShard`).
 */
export { openShard, type OpenShardOptions } from './open-shard.js';
export { resolveShardFile, type ResolvedShardFile, type ShardFileRequest } from './resolve-shard-file.js';
export { pullShard, type PullShardOptions, type PullShardResult } from './pull-shard.js';
export type { ShardMicroBatch } from '../arrow/shard-read.js';
export type { ShardVariant } from '../core/shards/shard-layout.js';
export type { ShardEpochManifest, ShardFileEntry } from '../core/shards/shard-manifest.js';
