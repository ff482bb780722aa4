import type { EpochMixture } from '../../core/mixture/epoch-mixture.js';
import { encodePlanRankFile, planMicroBatchSize } from '../../arrow/index.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { countPackedPlan, countPlan } from '../../core/plan/plan-counts.js';
import type { EpochPacking } from '../../core/plan/packing-manifest.js';
import type { PackedEpochPlan } from '../../core/packing/packed-epoch-plan.js';
import {
  PLAN_MANIFEST_FORMAT_VERSION,
  epochFolder,
  rankFileKey,
  type EpochManifest,
  type PlanManifest,
  type RankFileEntry,
  type ReshardOrigin,
} from '../../core/plan/manifest.js';
import { specToJson } from '../../core/spec/spec-json.js';
import type { CommonSpec } from '../../core/strategies/strategy.js';
import type { LengthColumn } from '../../core/spec/common-fields.js';
import type { EpochPlan } from '../../core/plan/epoch-plan.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';

/** Where a plan goes. */
export interface PlanDestination {
  readonly store: ObjectStore;
  readonly prefix: string;
}

/** What every file of one plan shares. */
export interface PlanIdentity {
  /** The plan's fingerprint: written as the manifests' `runFingerprint` (a format name kept for compatibility). */
  readonly planFingerprint: string;
  readonly indexFingerprint: string;
  readonly spec: CommonSpec;
  readonly lengthColumn: LengthColumn;
  readonly lengths: Int32Array;
  readonly reshardOf?: ReshardOrigin;
}

/**
 * Write one epoch: every rank's Arrow file, then the epoch manifest listing each file's size and
 * sha256 (so a reader that finds the manifest finds every file). Returns the manifest and its
 * entry for the root manifest. A packed plan comes with its packing facts; its rejected samples
 * are the manifest's droppedIds.
 */
export async function writeEpochPlan(
  out: PlanDestination,
  identity: PlanIdentity,
  plan: EpochPlan | PackedEpochPlan,
  mixture?: EpochMixture,
  packing?: EpochPacking,
): Promise<{ manifest: EpochManifest; entry: PlanManifest['epochs'][number] }> {
  const files: RankFileEntry[] = [];
  for (let rank = 0; rank < plan.worldSize; rank++) files.push(await writeRankFile(out, identity, plan, rank));
  const manifest: EpochManifest = {
    kind: 'epoch-plan-manifest',
    formatVersion: PLAN_MANIFEST_FORMAT_VERSION,
    runFingerprint: identity.planFingerprint,
    indexFingerprint: identity.indexFingerprint,
    strategyId: plan.strategyId,
    spec: specToJson(identity.spec),
    lengthColumn: identity.lengthColumn,
    ...(identity.reshardOf ? { reshardOf: identity.reshardOf } : {}),
    epoch: plan.epoch,
    counts: 'stepStarts' in plan ? countPackedPlan(plan, identity.lengths.length, mixture) : countPlan(plan, identity.lengths.length, mixture),
    droppedIds: Array.from('stepStarts' in plan ? plan.rejectedIds : plan.droppedIds),
    ...(mixture ? { mixture } : {}),
    ...(packing ? { packing } : {}),
    files,
  };
  const key = joinKey(epochFolder(plan.epoch), 'manifest.json');
  const text = manifestText(manifest);
  await out.store.put(joinKey(out.prefix, key), text);
  return { manifest, entry: { epoch: plan.epoch, key, sha256: sha256Hex(text) } };
}

async function writeRankFile(out: PlanDestination, identity: PlanIdentity, plan: EpochPlan | PackedEpochPlan, rank: number): Promise<RankFileEntry> {
  const bytes = encodePlanRankFile(plan, rank, identity.lengths, {
    planFingerprint: identity.planFingerprint,
    strategyId: plan.strategyId,
    epoch: plan.epoch,
    worldSize: plan.worldSize,
    microBatchSize: planMicroBatchSize(plan),
    gradientAccumulation: identity.spec.gradientAccumulation,
  });
  const key = rankFileKey(plan.epoch, rank);
  await out.store.put(joinKey(out.prefix, key), bytes);
  const entries = plan.rankStarts[rank + 1]! - plan.rankStarts[rank]!;
  const steps = 'stepStarts' in plan ? plan.stepCount : Math.ceil(entries / plan.microBatchSize);
  return { rank, key, bytes: bytes.length, sha256: sha256Hex(bytes), entries, steps };
}

/** Write the root manifest: last, so its presence means the whole plan is there. */
export async function writeRootManifest(
  out: PlanDestination,
  identity: PlanIdentity,
  strategyId: string,
  epochs: PlanManifest['epochs'],
): Promise<PlanManifest> {
  const root: PlanManifest = {
    kind: 'plan-manifest',
    formatVersion: PLAN_MANIFEST_FORMAT_VERSION,
    runFingerprint: identity.planFingerprint,
    indexFingerprint: identity.indexFingerprint,
    strategyId,
    spec: specToJson(identity.spec),
    lengthColumn: identity.lengthColumn,
    ...(identity.reshardOf ? { reshardOf: identity.reshardOf } : {}),
    sampleCount: identity.lengths.length,
    epochs,
  };
  await out.store.put(joinKey(out.prefix, 'manifest.json'), manifestText(root));
  return root;
}

function manifestText(manifest: unknown): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
