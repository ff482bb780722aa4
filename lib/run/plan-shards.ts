import { decodeLengthIndex, encodePlanRankFile } from '../arrow/index.js';
import { canonicalJson, sha256Hex } from '../core/fingerprint.js';
import { signedLengths } from '../core/index/length-index.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { countPlan } from '../core/plan/plan-counts.js';
import {
  PLAN_MANIFEST_FORMAT_VERSION,
  epochFolder,
  rankFileKey,
  type EpochManifest,
  type PlanManifest,
  type RankFileEntry,
} from '../core/plan/manifest.js';
import { resolveShardSpec, type ResolvedShardSpec } from '../core/spec/resolve-shard-spec.js';
import { specToJson } from '../core/spec/spec-json.js';
import type { LengthColumn } from '../core/spec/common-fields.js';
import type { EpochPlan } from '../core/plan/epoch-plan.js';
import { joinKey, type ObjectStore } from '../io/object-store.js';

/** Where the index is, what to plan, and where the plan goes. */
export interface PlanShardsRequest {
  readonly index: { readonly store: ObjectStore; readonly key: string };
  /** Untrusted shard spec (JSON); validated here. */
  readonly spec: unknown;
  readonly out: { readonly store: ObjectStore; readonly prefix: string };
  /** Called after each epoch is written (progress). */
  readonly onEpoch?: (manifest: EpochManifest) => void;
}

/**
 * Plan every epoch of a spec over a length index and write, per epoch, one Arrow file per rank
 * and a manifest (sizes and sha256 of every file), then the root manifest last: a reader that
 * finds `manifest.json` finds a complete plan. Same inputs → byte-identical files.
 */
export async function planShards(request: PlanShardsRequest): Promise<PlanManifest> {
  const resolved = resolveShardSpec(request.spec);
  const indexLocation = `${request.index.store.location}/${request.index.key}`;
  const indexBytes = await request.index.store.get(request.index.key);
  const { index, metadata } = decodeLengthIndex(indexBytes, indexLocation);
  const lengthColumn = resolved.spec.lengthColumn ?? resolved.strategy.defaultLengthColumn;
  const lengths = signedLengths(index, lengthColumn);
  // Validate once, up front, naming the file and column: nothing is written for an unplannable index.
  resolved.strategy.validateLengths(lengths, `${indexLocation} ${LENGTH_COLUMN_NAMES[lengthColumn]}`);
  const runFingerprint = planFingerprint(resolved, metadata.fingerprint, lengthColumn);
  const context = { resolved, lengths, lengthColumn, runFingerprint, indexFingerprint: metadata.fingerprint };
  const epochs: PlanManifest['epochs'] = [];
  for (let epoch = 0; epoch < resolved.spec.epochs; epoch++) {
    const manifest = await writeEpoch(request.out, context, epoch);
    const key = joinKey(request.out.prefix, epochFolder(epoch), 'manifest.json');
    const text = manifestText(manifest);
    await request.out.store.put(key, text);
    epochs.push({ epoch, key: joinKey(epochFolder(epoch), 'manifest.json'), sha256: sha256Hex(text) });
    request.onEpoch?.(manifest);
  }
  const root: PlanManifest = {
    kind: 'plan-manifest',
    formatVersion: PLAN_MANIFEST_FORMAT_VERSION,
    runFingerprint,
    indexFingerprint: metadata.fingerprint,
    strategyId: resolved.strategy.id,
    spec: specToJson(resolved.spec),
    lengthColumn,
    sampleCount: index.sampleCount,
    epochs,
  };
  await request.out.store.put(joinKey(request.out.prefix, 'manifest.json'), manifestText(root));
  return root;
}

/** The Arrow column behind each length choice, for messages. */
const LENGTH_COLUMN_NAMES: Record<LengthColumn, string> = { total: 'total_tokens', xtuner: 'xtuner_length', llava: 'llava_length' };

interface PlanContext {
  readonly resolved: ResolvedShardSpec;
  readonly lengths: Int32Array;
  readonly lengthColumn: LengthColumn;
  readonly runFingerprint: string;
  readonly indexFingerprint: string;
}

async function writeEpoch(out: PlanShardsRequest['out'], context: PlanContext, epoch: number): Promise<EpochManifest> {
  const { resolved, lengths } = context;
  const plan = planEpoch(resolved.strategy, lengths, resolved.spec, epoch);
  const files: RankFileEntry[] = [];
  for (let rank = 0; rank < plan.worldSize; rank++) {
    files.push(await writeRankFile(out, context, plan, rank));
  }
  return {
    kind: 'epoch-plan-manifest',
    formatVersion: PLAN_MANIFEST_FORMAT_VERSION,
    runFingerprint: context.runFingerprint,
    indexFingerprint: context.indexFingerprint,
    strategyId: plan.strategyId,
    spec: specToJson(resolved.spec),
    lengthColumn: context.lengthColumn,
    epoch,
    counts: countPlan(plan, lengths.length),
    droppedIds: Array.from(plan.droppedIds),
    files,
  };
}

async function writeRankFile(out: PlanShardsRequest['out'], context: PlanContext, plan: EpochPlan, rank: number): Promise<RankFileEntry> {
  const bytes = encodePlanRankFile(plan, rank, context.lengths, {
    runFingerprint: context.runFingerprint,
    strategyId: plan.strategyId,
    epoch: plan.epoch,
    worldSize: plan.worldSize,
    microBatchSize: plan.microBatchSize,
    gradientAccumulation: context.resolved.spec.gradientAccumulation,
  });
  const key = rankFileKey(plan.epoch, rank);
  await out.store.put(joinKey(out.prefix, key), bytes);
  const entries = plan.rankStarts[rank + 1]! - plan.rankStarts[rank]!;
  return { rank, key, bytes: bytes.length, sha256: sha256Hex(bytes), entries, steps: Math.ceil(entries / plan.microBatchSize) };
}

/** The plan's identity: format, strategy, resolved spec, length column and the index content. */
export function planFingerprint(resolved: ResolvedShardSpec, indexFingerprint: string, lengthColumn: LengthColumn): string {
  return sha256Hex(
    canonicalJson({ format: 'megashard-plan/1', strategy: resolved.strategy.id, spec: specToJson(resolved.spec), lengthColumn, indexFingerprint }),
  );
}

function manifestText(manifest: unknown): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
