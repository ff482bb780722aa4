/**
 * From (run, epoch, rank, variant) to the one shard file a trainer reads, as its epoch manifest
 * lists it: key, size, sha256, steps. Bad requests fail here, before any byte of a shard moves.
 */
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import { SHARDS_PREFIX, type ShardVariant } from '../core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardFileEntry } from '../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../io/object-store.js';
import { checkKeySegments } from '../io/split-url.js';
import { readShardEpochManifest } from './read-shard-manifests.js';

/** Which shard: the epoch, the data-parallel rank, and the variant (default `tokens`). */
export interface ShardFileRequest {
  readonly epoch: number;
  readonly rank: number;
  readonly variant?: ShardVariant;
}

/** A shard file as its manifest describes it, with its key in the run's store. */
export interface ResolvedShardFile {
  readonly manifest: ShardEpochManifest;
  readonly entry: ShardFileEntry;
  /** Key relative to the run (`shards/epoch-0000/rank-00003.arrow`). */
  readonly key: string;
  /** `<run location>/<key>`, for messages. */
  readonly label: string;
}

/**
 * Find a rank's shard in its epoch manifest. An unplanned epoch, a rank ≥ the world size and a
 * variant the run did not write are InvalidInputErrors naming what exists.
 */
export async function resolveShardFile(run: ObjectStore, request: ShardFileRequest): Promise<ResolvedShardFile> {
  const { epoch, rank, variant = 'tokens' } = request;
  if (!Number.isSafeInteger(rank) || rank < 0) throw new InvalidInputError('rank', `is ${rank}; must be an integer ≥ 0`);
  const manifest = await readShardEpochManifest(run, epoch);
  if (rank >= manifest.worldSize) {
    throw new InvalidInputError(
      'rank',
      `is ${rank}; epoch ${epoch} was planned for world size ${manifest.worldSize}: use a rank in 0–${manifest.worldSize - 1}`,
    );
  }
  const entry = manifest.files.find((file) => file.rank === rank && file.variant === variant);
  if (entry === undefined) throw missingFileError(run, manifest, rank, variant);
  checkKeySegments(entry.key, `epoch ${epoch} manifest files[rank ${rank}].key`);
  const key = joinKey(SHARDS_PREFIX, entry.key);
  return { manifest, entry, key, label: `${run.location}/${key}` };
}

function missingFileError(run: ObjectStore, manifest: ShardEpochManifest, rank: number, variant: ShardVariant): Error {
  const variants = [...new Set(manifest.files.map((file) => file.variant))];
  if (!variants.includes(variant)) {
    const written = variants.length === 0 ? 'none' : variants.join(', ');
    return new InvalidInputError('variant', `is "${variant}"; epoch ${manifest.epoch} has no ${variant} shards (written: ${written})`);
  }
  return new CorruptArtifactError(
    `${run.location}/${SHARDS_PREFIX}/epoch ${manifest.epoch} manifest`,
    `lists no ${variant} shard for rank ${rank} of ${manifest.worldSize}`,
  );
}
