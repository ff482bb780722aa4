import { PLAN_PREFIX } from '../../core/run-layout.js';
import { parseJsonArtifact, verifySha256 } from '../../core/json-artifact.js';
/**
 * Reading a run's plan one rank at a time (the shard writer fans out by rank range, so it must not
 * read every rank file of an epoch): the root and epoch manifests, verified by sha256, and a rank's
 * plan file, verified against its manifest entry.
 */
import { decodePlanRankFile, type DecodedPlanRank } from '../../arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import { epochManifestSchema, planManifestSchema, type EpochManifest, type PlanManifest } from '../../core/plan/manifest.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';

/** The plan of one epoch of a run: the root manifest and the epoch's manifest. */
export interface PlannedEpoch {
  readonly root: PlanManifest;
  readonly manifest: EpochManifest;
}

/** The run's `plan/manifest.json`: its presence means the plan is complete. */
export async function readPlanRoot(run: ObjectStore): Promise<PlanManifest> {
  const key = joinKey(PLAN_PREFIX, 'manifest.json');
  if (!(await run.exists(key))) {
    throw new InvalidInputError(
      'run',
      `${run.location} has no ${key}: plan the run first (megashard plan --index <run>/index/lengths.arrow --spec … --out <run>/plan)`,
    );
  }
  return parseJsonArtifact(await run.get(key), planManifestSchema, `${run.location}/${key}`);
}

/** One epoch's manifest, verified against the sha256 the root lists; an unplanned epoch is InvalidInput. */
export async function readPlannedEpoch(run: ObjectStore, root: PlanManifest, epoch: number): Promise<PlannedEpoch> {
  const entry = root.epochs.find((e) => e.epoch === epoch);
  if (!entry)
    throw new InvalidInputError(
      'epoch',
      `is ${epoch}, which was not planned; the plan at ${run.location}/${PLAN_PREFIX} has epochs ${root.epochs.map((e) => e.epoch).join(', ')}`,
    );
  const where = `${run.location}/${joinKey(PLAN_PREFIX, entry.key)}`;
  const bytes = await run.get(joinKey(PLAN_PREFIX, entry.key));
  verifySha256(bytes, entry.sha256, where);
  const manifest = parseJsonArtifact(bytes, epochManifestSchema, where);
  if (manifest.epoch !== epoch || manifest.runFingerprint !== root.runFingerprint) {
    throw new CorruptArtifactError(
      where,
      `is epoch ${manifest.epoch} of plan ${manifest.runFingerprint.slice(0, 12)}…; the root lists it as epoch ${epoch} of ${root.runFingerprint.slice(0, 12)}…`,
    );
  }
  return { root, manifest };
}

/** One rank's plan file: size and sha256 as listed, and metadata naming this rank and epoch. */
export async function readPlannedRank(run: ObjectStore, planned: PlannedEpoch, rank: number): Promise<DecodedPlanRank> {
  const file = planned.manifest.files.find((f) => f.rank === rank);
  if (!file) throw new InvalidInputError('rank', `is ${rank}; epoch ${planned.manifest.epoch} was planned for ${planned.manifest.files.length} ranks`);
  const where = `${run.location}/${joinKey(PLAN_PREFIX, file.key)}`;
  const bytes = await run.get(joinKey(PLAN_PREFIX, file.key));
  if (bytes.length !== file.bytes) throw new CorruptArtifactError(where, `is ${bytes.length} bytes; the manifest says ${file.bytes}`);
  verifySha256(bytes, file.sha256, where);
  const decoded = decodePlanRankFile(bytes, where);
  const { metadata } = decoded;
  if (metadata.rank !== rank || metadata.epoch !== planned.manifest.epoch || metadata.planFingerprint !== planned.root.runFingerprint) {
    throw new CorruptArtifactError(
      where,
      `holds rank ${metadata.rank} of epoch ${metadata.epoch}; the manifest lists rank ${rank} of epoch ${planned.manifest.epoch}`,
    );
  }
  return decoded;
}
