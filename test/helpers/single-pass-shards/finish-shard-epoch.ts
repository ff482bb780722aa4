/**
 * The single-pass writer's epoch manifest, made by reading every shard file back (size, sha256,
 * footer metadata) — what FinishShards did before it was built from the Assemble results. Kept
 * as the reference the two-phase shuffle is compared with, byte for byte.
 */
import { readShardFileInfo, type ShardMetadata } from '../../../lib/arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../../lib/core/errors.js';
import { sha256Hex } from '../../../lib/core/fingerprint.js';
import { SHARDS_PREFIX, shardEpochManifestKey, shardFileKey, type ShardVariant } from '../../../lib/core/shards/shard-layout.js';
import { SHARD_MANIFEST_FORMAT_VERSION, type ShardEpochManifest, type ShardFileEntry } from '../../../lib/core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../../lib/io/object-store.js';
import { readPlanRoot, readPlannedEpoch, type PlannedEpoch } from '../../../lib/run/plan/read-planned-rank.js';
import type { ShardEpochEntry } from '../../../lib/run/shards/finish-shards.js';

/**
 * Write `shards/epoch-NNNN/manifest.json`: every rank's file of each variant with its size and
 * sha256, after checking each file's metadata belongs to this plan, epoch and rank and that its
 * step count is the plan's.
 */
export async function finishShardEpoch(
  run: ObjectStore,
  epoch: number,
  variants: readonly ShardVariant[],
): Promise<{ manifest: ShardEpochManifest; entry: ShardEpochEntry }> {
  if (variants.length === 0 || !variants.includes('index'))
    throw new InvalidInputError('variants', `is [${variants.join(', ')}]; the index variant is always written`);
  const planned = await readPlannedEpoch(run, await readPlanRoot(run), epoch);
  const files: ShardFileEntry[] = [];
  let identity: ShardMetadata | undefined;
  for (const planFile of planned.manifest.files) {
    for (const variant of (['tokens', 'index'] as const).filter((v) => variants.includes(v))) {
      const key = shardFileKey(epoch, planFile.rank, variant);
      const where = `${run.location}/${joinKey(SHARDS_PREFIX, key)}`;
      const bytes = await run.get(joinKey(SHARDS_PREFIX, key));
      const { metadata } = readShardFileInfo(bytes, where);
      identity ??= metadata;
      checkShardFile(metadata, { planned, rank: planFile.rank, steps: planFile.steps, variant, identity }, where);
      files.push({
        rank: planFile.rank,
        variant,
        key,
        bytes: bytes.length,
        sha256: sha256Hex(bytes),
        steps: metadata.steps,
        entries: planFile.entries,
        firstStep: metadata.firstStep,
      });
    }
  }
  const manifest: ShardEpochManifest = {
    kind: 'epoch-shards-manifest',
    ...identityFields(identity!),
    epoch,
    stepsPerRank: Math.max(0, ...files.map((f) => f.steps)),
    files,
  };
  const key = shardEpochManifestKey(epoch);
  const text = manifestText(manifest);
  await run.put(joinKey(SHARDS_PREFIX, key), text);
  return { manifest, entry: { epoch, key, sha256: sha256Hex(text) } };
}

/** A file must be the one the plan asks for, and agree with the epoch's other files. */
function checkShardFile(
  metadata: ShardMetadata,
  expected: { planned: PlannedEpoch; rank: number; steps: number; variant: ShardVariant; identity: ShardMetadata },
  where: string,
): void {
  const { planned, rank, steps, variant, identity } = expected;
  const mismatches = [
    ['kind', metadata.kind, variant === 'tokens' ? 'shard' : 'shard-index'],
    ['plan_fingerprint', metadata.planFingerprint, planned.root.runFingerprint],
    ['epoch', metadata.epoch, planned.manifest.epoch],
    ['rank', metadata.rank, rank],
    ['world_size', metadata.worldSize, planned.manifest.files.length],
    ['steps', metadata.steps, steps],
    ['tokenizer_fingerprint', metadata.tokenizerFingerprint, identity.tokenizerFingerprint],
    ['micro_batch_size', metadata.microBatchSize, identity.microBatchSize],
    ['gradient_accumulation', metadata.gradientAccumulation, identity.gradientAccumulation],
  ].filter(([, actual, wanted]) => actual !== wanted);
  if (mismatches.length > 0) {
    const detail = mismatches.map(([name, actual, wanted]) => `megashard.${name} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`).join('; ');
    throw new CorruptArtifactError(
      where,
      `${detail}: it does not belong to this plan's epoch ${planned.manifest.epoch}; rewrite the shards (megashard shards)`,
    );
  }
}

function identityFields(metadata: ShardMetadata) {
  return {
    formatVersion: SHARD_MANIFEST_FORMAT_VERSION,
    planFingerprint: metadata.planFingerprint,
    indexFingerprint: metadata.indexFingerprint,
    tokenizerFingerprint: metadata.tokenizerFingerprint,
    strategyId: metadata.strategyId,
    worldSize: metadata.worldSize,
    microBatchSize: metadata.microBatchSize,
    gradientAccumulation: metadata.gradientAccumulation,
  } as const;
}

function manifestText(manifest: unknown): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
