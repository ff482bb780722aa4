/**
 * FinishShards' last write: `shards/manifest.json`, listing every epoch's shard manifest (written
 * from the Assemble results, finish-shard-epoch.ts) with its sha256.
 */
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey } from '../../core/shards/shard-layout.js';
import { shardEpochManifestSchema, type ShardEpochManifest, type ShardsManifest } from '../../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { readPlanRoot } from '../plan/read-planned-rank.js';

/** An epoch manifest's line in the root manifest. */
export interface ShardEpochEntry {
  readonly epoch: number;
  readonly key: string;
  readonly sha256: string;
}

/**
 * Write `shards/manifest.json` last, listing every planned epoch's shard manifest with its sha256:
 * its presence means every epoch's shards are complete.
 */
export async function finishShards(run: ObjectStore): Promise<ShardsManifest> {
  const root = await readPlanRoot(run);
  const epochs: ShardEpochEntry[] = [];
  let first: ShardEpochManifest | undefined;
  for (const { epoch } of root.epochs) {
    const key = shardEpochManifestKey(epoch);
    const where = `${run.location}/${joinKey(SHARDS_PREFIX, key)}`;
    if (!(await run.exists(joinKey(SHARDS_PREFIX, key)))) throw new InvalidInputError('shards', `${where} is missing: finish epoch ${epoch} first`);
    const bytes = await run.get(joinKey(SHARDS_PREFIX, key));
    const manifest = parseJsonArtifact(bytes, shardEpochManifestSchema, where);
    if (manifest.epoch !== epoch || manifest.planFingerprint !== root.runFingerprint) {
      throw new CorruptArtifactError(
        where,
        `is epoch ${manifest.epoch} of plan ${manifest.planFingerprint.slice(0, 12)}…; expected epoch ${epoch} of ${root.runFingerprint.slice(0, 12)}…: rewrite the shards`,
      );
    }
    first ??= manifest;
    epochs.push({ epoch, key, sha256: sha256Hex(bytes) });
  }
  if (!first) throw new InvalidInputError('plan', `${run.location} plans no epochs`);
  const { kind: _kind, epoch: _epoch, stepsPerRank: _steps, files: _files, ...identity } = first;
  const manifest: ShardsManifest = { kind: 'shards-manifest', ...identity, sampleCount: root.sampleCount, epochs };
  await run.put(joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), manifestText(manifest));
  return manifest;
}

function manifestText(manifest: unknown): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
