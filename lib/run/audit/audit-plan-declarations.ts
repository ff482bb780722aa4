import { PLAN_PREFIX } from '../../core/run-layout.js';
import type { EpochDeclarations } from '../../core/audit/rank-shard-columns.js';
import { InvalidInputError } from '../../core/errors.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { epochManifestSchema, planManifestSchema, type PlanManifest, type RankFileEntry } from '../../core/plan/manifest.js';
import type { LengthColumn } from '../../core/spec/common-fields.js';
import { seedSchema } from '../../core/spec/seed.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';

/** One epoch of the plan: what it declares, and its rank files (keys relative to plan/). */
export interface PlannedEpochFacts {
  readonly declared: EpochDeclarations;
  readonly files: readonly RankFileEntry[];
}

/** What the run's plan declares, per epoch, for the audit to hold the shards to. */
export interface PlanDeclarations {
  readonly root: PlanManifest;
  readonly lengthColumn: LengthColumn;
  /** Per planned epoch (epoch manifests whose sha256 matched the root's listing). */
  readonly epochs: ReadonlyMap<number, PlannedEpochFacts>;
  /** Epoch manifests that could not be trusted, with why. */
  readonly problems: { readonly epoch: number; readonly message: string }[];
}

/**
 * Read `plan/manifest.json` and every epoch manifest it lists (sha256 checked): the samples each
 * epoch drops on purpose and how many padding entries it declares. Without a plan the audit cannot
 * tell a declared drop from a lost sample, so a run without one is InvalidInput.
 */
export async function readPlanDeclarations(run: ObjectStore): Promise<PlanDeclarations> {
  const root = await readAuditedPlanRoot(run);
  const epochs = new Map<number, PlannedEpochFacts>();
  const problems: PlanDeclarations['problems'] = [];
  for (const entry of root.epochs) {
    const read = await readEpochDeclarations(run, entry);
    if (typeof read === 'string') problems.push({ epoch: entry.epoch, message: read });
    else epochs.set(entry.epoch, read);
  }
  return { root, lengthColumn: root.lengthColumn, epochs, problems };
}

/** The plan's root manifest; without a plan the audit cannot tell a declared drop from a lost sample. */
export async function readAuditedPlanRoot(run: ObjectStore): Promise<PlanManifest> {
  const rootKey = joinKey(PLAN_PREFIX, 'manifest.json');
  if (!(await run.exists(rootKey))) {
    throw new InvalidInputError(
      'run',
      `${run.location} has no ${rootKey}: the audit holds the shards to the plan's declared drops and padding; audit a run whose plan is complete`,
    );
  }
  return parseJsonArtifact(await run.get(rootKey), planManifestSchema, `${run.location}/${rootKey}`);
}

/**
 * One epoch's declarations, from its manifest as the plan root lists it; a manifest whose sha256
 * is not the listed one cannot be trusted, and the reason is returned instead.
 */
export async function readEpochDeclarations(run: ObjectStore, entry: PlanManifest['epochs'][number]): Promise<PlannedEpochFacts | string> {
  const key = joinKey(PLAN_PREFIX, entry.key);
  const bytes = await run.get(key);
  if (sha256Hex(bytes) !== entry.sha256) return `${key}: sha256 ${sha256Hex(bytes)} does not match ${joinKey(PLAN_PREFIX, 'manifest.json')}'s ${entry.sha256}`;
  const manifest = parseJsonArtifact(bytes, epochManifestSchema, `${run.location}/${key}`);
  const declared = { droppedIds: Int32Array.from(manifest.droppedIds), paddingEntries: manifest.counts.paddingEntries };
  if (manifest.mixture === undefined) return { declared, files: manifest.files };
  const seed = seedSchema.safeParse(manifest.spec.seed);
  if (!seed.success) return `${key}: the spec's seed ${JSON.stringify(manifest.spec.seed)} is not a seed, so its mixture cannot be recomputed`;
  return { declared: { ...declared, mixture: { block: manifest.mixture, seed: seed.data } }, files: manifest.files };
}
