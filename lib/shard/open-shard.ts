/**
 * The Node API a training job uses: its rank's micro-batches for an epoch, in order, straight from
 * the run's folder or bucket, from any step on (resuming at step k reads none of the steps before).
 */
import { openRangedShardFile, shardFooterBytesEstimate } from '../arrow/ranged-shard-file.js';
import type { ShardMicroBatch } from '../arrow/shard-read.js';
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import type { ShardVariant } from '../core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardFileEntry } from '../core/shards/shard-manifest.js';
import type { ShardMetadata } from '../arrow/shard-schema.js';
import type { ObjectStore } from '../io/object-store.js';
import { openStore } from '../io/open-store.js';
import { resolveShardFile } from './resolve-shard-file.js';

/** Which micro-batches to iterate. */
export interface OpenShardOptions {
  readonly epoch: number;
  readonly rank: number;
  /** First step to yield (default: the file's first step, 0 unless the plan resumed mid-epoch). */
  readonly fromStep?: number;
  /** `tokens` (default) or `index` (ids and lengths only). */
  readonly variant?: ShardVariant;
  /** Most bytes one ranged read fetches; consecutive steps share reads up to it (default 8 MiB). */
  readonly maxBytesPerRead?: number;
}

/**
 * The rank's micro-batches of an epoch from `fromStep` on, as typed arrays (for a packed plan each
 * also carries `pack` and, with tokens, `positionIds`: step k is whole packs). The shard is found in
 * its epoch manifest (read with the zod schema): an unplanned epoch, a rank ≥ the world size or a
 * step outside the file fail with InvalidInputError naming it; a file whose size or metadata
 * contradicts the manifest with CorruptArtifactError. The whole file's sha256 can only be checked
 * over the whole file: `pullShard` does that; here every batch is checked as it is decoded.
 */
export async function* openShard(run: string | ObjectStore, options: OpenShardOptions): AsyncGenerator<ShardMicroBatch> {
  const store = typeof run === 'string' ? openStore(run) : run;
  const { manifest, entry, key, label } = await resolveShardFile(store, options);
  const fromStep = options.fromStep ?? entry.firstStep;
  const end = entry.firstStep + entry.steps;
  if (!Number.isSafeInteger(fromStep) || fromStep < entry.firstStep || fromStep > end) {
    throw new InvalidInputError(
      'fromStep',
      `is ${fromStep}; epoch ${options.epoch} rank ${options.rank} has steps ${entry.firstStep}–${end - 1} (${end} resumes past the last step)`,
    );
  }
  const size = await store.size(key);
  if (size !== entry.bytes) throw new CorruptArtifactError(label, `is ${size} bytes; the epoch manifest says ${entry.bytes}`);
  // The manifest knows the steps, so the tail read can be sized to the footer: nothing of the
  // last steps is fetched before the trainer asks for them.
  const file = await openRangedShardFile(store, key, { bytes: size, tailReadBytes: shardFooterBytesEstimate(entry.steps) });
  checkAgainstManifest(file.metadata, manifest, entry, label);
  yield* file.readMicroBatches(fromStep, options.maxBytesPerRead);
}

/** The file must be the one the manifest lists: same run, epoch, rank, variant and steps. */
function checkAgainstManifest(metadata: ShardMetadata, manifest: ShardEpochManifest, entry: ShardFileEntry, label: string): void {
  const expected: Array<[string, string | number, string | number]> = [
    ['megashard.epoch', metadata.epoch, manifest.epoch],
    ['megashard.rank', metadata.rank, entry.rank],
    ['megashard.world_size', metadata.worldSize, manifest.worldSize],
    ['megashard.plan_fingerprint', metadata.planFingerprint, manifest.planFingerprint],
    ['megashard.kind', metadata.kind, entry.variant === 'tokens' ? 'shard' : 'shard-index'],
    ['megashard.first_step', metadata.firstStep, entry.firstStep],
    ['megashard.steps', metadata.steps, entry.steps],
    // A packed shard (format 2) states its packing; the manifest must state the same, or none for a fixed plan.
    ['megashard.packing', JSON.stringify(metadata.packing), JSON.stringify(manifest.packing ?? null)],
  ];
  for (const [key, actual, listed] of expected) {
    if (actual !== listed)
      throw new CorruptArtifactError(label, `metadata "${key}" is ${JSON.stringify(actual)}; the epoch manifest says ${JSON.stringify(listed)}`);
  }
}
