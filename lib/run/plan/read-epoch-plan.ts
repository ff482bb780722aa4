import { parseJsonArtifact, verifySha256 } from '../../core/json-artifact.js';
import { decodePlanRankFile } from '../../arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import type { EpochPlan } from '../../core/plan/epoch-plan.js';
import type { PackedEpochPlan } from '../../core/packing/packed-epoch-plan.js';
import { epochManifestSchema, planManifestSchema, type EpochManifest, type PlanManifest } from '../../core/plan/manifest.js';
import { joinKey } from '../../io/object-store.js';
import { PACK_REJECT_REASONS } from '../../core/packing/pack-samples.js';
import type { z } from 'zod';
import type { PlanDestination } from './write-epoch-plan.js';

/** A plan epoch read back and verified: its manifests and the plan its rank files hold. */
export interface StoredEpochPlan {
  readonly root: PlanManifest;
  readonly manifest: EpochManifest;
  readonly plan: EpochPlan;
}

/** A packed epoch read back and verified. */
export interface StoredPackedEpochPlan {
  readonly root: PlanManifest;
  readonly manifest: EpochManifest;
  readonly plan: PackedEpochPlan;
}

/**
 * Read one epoch of a written fixed-batch plan and verify it (see {@link readVerifiedRanks}); rank
 * files are concatenated back into an EpochPlan. A packed epoch is refused: read it with
 * {@link readPackedEpochPlan}.
 */
export async function readEpochPlan(source: PlanDestination, epoch: number): Promise<StoredEpochPlan> {
  const { root, manifest, parts } = await readVerifiedRanks(source, epoch);
  if (manifest.packing) {
    throw new InvalidInputError(
      'epoch',
      `${epoch} of the plan at ${source.store.location} is packed (${manifest.strategyId}); a fixed-batch reader cannot take it (to reshard it, give the spec its packing block)`,
    );
  }
  return { root, manifest, plan: concatenateRanks(manifest, parts) };
}

/** Read one epoch of a written packed plan, verified as {@link readEpochPlan} does, as a PackedEpochPlan. */
export async function readPackedEpochPlan(source: PlanDestination, epoch: number): Promise<StoredPackedEpochPlan> {
  const { root, manifest, parts } = await readVerifiedRanks(source, epoch);
  if (!manifest.packing) {
    throw new InvalidInputError('epoch', `${epoch} of the plan at ${source.store.location} is not packed (${manifest.strategyId}): read it with readEpochPlan`);
  }
  return { root, manifest, plan: concatenatePackedRanks(manifest, parts) };
}

/**
 * Read an epoch's rank files and verify them: the root manifest and the epoch manifest parse
 * with their schemas, the epoch manifest's sha256 matches the root's entry, every rank file's size
 * and sha256 match the manifest, and each file's metadata names its rank and epoch.
 */
async function readVerifiedRanks(source: PlanDestination, epoch: number) {
  const root = await readJson(source, 'manifest.json', planManifestSchema);
  const entry = root.epochs.find((e) => e.epoch === epoch);
  if (!entry) {
    throw new InvalidInputError('epoch', `is ${epoch}; the plan at ${source.store.location} has epochs ${root.epochs.map((e) => e.epoch).join(', ')}`);
  }
  const manifestBytes = await source.store.get(joinKey(source.prefix, entry.key));
  verifySha256(manifestBytes, entry.sha256, `${source.store.location}/${entry.key}`);
  const manifest = parseJsonArtifact(manifestBytes, epochManifestSchema, `${source.store.location}/${entry.key}`);
  const parts = [];
  for (const file of manifest.files) {
    const where = `${source.store.location}/${file.key}`;
    const bytes = await source.store.get(joinKey(source.prefix, file.key));
    if (bytes.length !== file.bytes) throw new CorruptArtifactError(where, `is ${bytes.length} bytes; the manifest says ${file.bytes}`);
    verifySha256(bytes, file.sha256, where);
    const decoded = decodePlanRankFile(bytes, where);
    if (decoded.metadata.rank !== file.rank || decoded.metadata.epoch !== epoch) {
      throw new CorruptArtifactError(
        where,
        `holds rank ${decoded.metadata.rank} of epoch ${decoded.metadata.epoch}; the manifest lists rank ${file.rank} of epoch ${epoch}`,
      );
    }
    parts.push(decoded);
  }
  return { root, manifest, parts };
}

/** Packed rank files back into one PackedEpochPlan: rows, step and pack offsets shifted rank after rank. */
function concatenatePackedRanks(manifest: EpochManifest, parts: ReadonlyArray<ReturnType<typeof decodePlanRankFile>>): PackedEpochPlan {
  const base = concatenateRanks(manifest, parts);
  const stepCount = parts[0]?.metadata.stepCount ?? 0;
  const stepStarts = new Float64Array(parts.length * stepCount + 1);
  const packStarts: number[] = [];
  parts.forEach((part, rank) => {
    const offset = base.rankStarts[rank]!;
    if (part.metadata.stepCount !== stepCount) {
      throw new CorruptArtifactError(`rank ${rank} of epoch ${manifest.epoch}`, `has ${part.metadata.stepCount} steps; rank 0 has ${stepCount}`);
    }
    for (let k = 0; k < stepCount; k++) stepStarts[rank * stepCount + k] = offset + part.stepStarts[k]!;
    for (let p = 0; p + 1 < part.packStarts.length; p++) packStarts.push(offset + part.packStarts[p]!);
  });
  stepStarts[parts.length * stepCount] = base.sampleIds.length;
  packStarts.push(base.sampleIds.length);
  const reasons = manifest.packing!.rejectedReasons;
  return {
    strategyId: manifest.strategyId,
    epoch: manifest.epoch,
    worldSize: parts.length,
    maxTokens: manifest.packing!.maxTokens,
    stepCount,
    sampleIds: base.sampleIds,
    isPadding: base.isPadding,
    rankStarts: base.rankStarts,
    stepStarts,
    packStarts: packStarts.length === stepStarts.length && packStarts.every((v, i) => v === stepStarts[i]) ? stepStarts : Float64Array.from(packStarts),
    rejectedIds: Int32Array.from(manifest.droppedIds),
    rejectedReasons: Uint8Array.from(reasons, (reason) => PACK_REJECT_REASONS.indexOf(reason)),
    ...(parts[0] && parts[0].metadata.firstStep > 0 ? { firstStep: parts[0].metadata.firstStep } : {}),
  };
}

function concatenateRanks(manifest: EpochManifest, parts: ReadonlyArray<ReturnType<typeof decodePlanRankFile>>): EpochPlan {
  const total = parts.reduce((sum, part) => sum + part.sampleIds.length, 0);
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  const rankStarts = new Float64Array(parts.length + 1);
  parts.forEach((part, rank) => {
    sampleIds.set(part.sampleIds, rankStarts[rank]);
    isPadding.set(part.isPadding, rankStarts[rank]);
    rankStarts[rank + 1] = rankStarts[rank]! + part.sampleIds.length;
  });
  const first = parts[0]?.metadata;
  return {
    strategyId: manifest.strategyId,
    epoch: manifest.epoch,
    worldSize: parts.length,
    microBatchSize: first?.microBatchSize ?? 1,
    sampleIds,
    rankStarts,
    isPadding,
    droppedIds: Int32Array.from(manifest.droppedIds),
  };
}

async function readJson<T>(source: PlanDestination, key: string, schema: z.ZodType<T>): Promise<T> {
  return parseJsonArtifact(await source.store.get(joinKey(source.prefix, key)), schema, `${source.store.location}/${key}`);
}
