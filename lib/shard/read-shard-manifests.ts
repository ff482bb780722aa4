/**
 * Reading a run's shard manifests back through their zod schemas: the epoch manifest a trainer
 * needs, verified against the root manifest's sha256 when the root is there.
 */
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import { parseJsonArtifact } from '../core/json-artifact.js';
import { sha256Hex } from '../core/fingerprint.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey } from '../core/shards/shard-layout.js';
import { shardEpochManifestSchema, shardsManifestSchema, type ShardEpochManifest, type ShardsManifest } from '../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../io/object-store.js';

/** `shards/manifest.json` of a run, or undefined while the shards are still being written. */
export async function readShardsRootManifest(run: ObjectStore): Promise<ShardsManifest | undefined> {
  const key = joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY);
  if (!(await run.exists(key))) return undefined;
  return parseJsonArtifact(await run.get(key), shardsManifestSchema, `${run.location}/${key}`);
}

/**
 * The manifest of one epoch's shards. An epoch without one was not planned (or is not written
 * yet): InvalidInputError naming the epochs the run has. When the root manifest exists, the epoch
 * manifest's bytes must match the sha256 it lists.
 */
export async function readShardEpochManifest(run: ObjectStore, epoch: number): Promise<ShardEpochManifest> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidInputError('epoch', `is ${epoch}; must be an integer ≥ 0`);
  const key = joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch));
  const where = `${run.location}/${key}`;
  const root = await readShardsRootManifest(run);
  if (!(await run.exists(key))) throw await unplannedEpochError(run, epoch, root);
  const bytes = await run.get(key);
  const listed = root?.epochs.find((entry) => entry.epoch === epoch);
  if (listed !== undefined && sha256Hex(bytes) !== listed.sha256) {
    throw new CorruptArtifactError(
      where,
      `sha256 is ${sha256Hex(bytes)}; ${SHARDS_PREFIX}/${SHARDS_MANIFEST_KEY} lists ${listed.sha256} (changed after the shards were written)`,
    );
  }
  const manifest = parseJsonArtifact(bytes, shardEpochManifestSchema, where);
  if (manifest.epoch !== epoch) throw new CorruptArtifactError(where, `says epoch ${manifest.epoch}; it is stored as epoch ${epoch}`);
  return manifest;
}

/** Name the epochs the run does have: from the root manifest, else from the epoch manifests present. */
async function unplannedEpochError(run: ObjectStore, epoch: number, root: ShardsManifest | undefined): Promise<InvalidInputError> {
  const epochs = root
    ? root.epochs.map((entry) => entry.epoch)
    : (await run.list(`${SHARDS_PREFIX}/`))
        .map((key) => /^shards\/epoch-(\d+)\/manifest\.json$/.exec(key)?.[1])
        .filter((digits): digits is string => digits !== undefined)
        .map(Number);
  const have =
    epochs.length === 0
      ? `${run.location} has no shards yet (no ${SHARDS_PREFIX}/ manifests): write them first`
      : `the run has epochs ${describeEpochs(epochs)}`;
  return new InvalidInputError('epoch', `is ${epoch}, which was not planned; ${have}`);
}

/** `0–3` for a contiguous range, else a list. */
function describeEpochs(epochs: readonly number[]): string {
  const sorted = [...epochs].sort((a, b) => a - b);
  const contiguous = sorted.every((epoch, i) => epoch === sorted[0]! + i);
  return contiguous && sorted.length > 2 ? `${sorted[0]}–${sorted.at(-1)}` : sorted.join(', ');
}
