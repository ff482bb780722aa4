import { epochFolder } from '../plan/manifest.js';

/**
 * Where a run's shards live, relative to the run's folder:
 *
 * ```
 * shards/
 *   manifest.json                       # written last: its presence means every epoch is complete
 *   epoch-0000/
 *     manifest.json                     # every file of the epoch with bytes + sha256, written after them
 *     rank-00000.arrow                  # tokens variant: record batch k = the rank's micro-batch of step k
 *     rank-00000.index.arrow            # index-only variant: same batches, no token columns
 *     …
 * ```
 */
export const SHARDS_PREFIX = 'shards';

/** The two shard variants: with tokens, or ids and lengths only (trainers that load samples themselves). */
export type ShardVariant = 'tokens' | 'index';

/** Key of a rank's shard file, relative to the shards folder. */
export function shardFileKey(epoch: number, rank: number, variant: ShardVariant): string {
  const suffix = variant === 'tokens' ? '.arrow' : '.index.arrow';
  return `${epochFolder(epoch)}/rank-${String(rank).padStart(5, '0')}${suffix}`;
}

/** Key of an epoch's shard manifest, relative to the shards folder. */
export function shardEpochManifestKey(epoch: number): string {
  return `${epochFolder(epoch)}/manifest.json`;
}

/** Key of the root shard manifest, relative to the shards folder. */
export const SHARDS_MANIFEST_KEY = 'manifest.json';
