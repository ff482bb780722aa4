/**
 * A complete run on a store, as the audit finds it: `index/lengths.arrow`, `plan/` (the real
 * planner), index-only shard files encoded with the real shard encoder, shard manifests following
 * the committed layout, and a rejects file. The shard files are written here independently of the
 * pipeline's writer, from the plan read back from its files.
 */
import { INDEX_KEY } from '../../lib/core/run-layout.js';
import { encodeLengthIndex, encodeShardFile, readShardColumns, type ShardMeta, type ShardRows } from '../../lib/arrow/index.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { lengthsForStrategy, utf8At, utf8ColumnFromStrings, type LengthIndex } from '../../lib/core/index/length-index.js';
import { rankPaddingFlags, rankSampleIds } from '../../lib/core/plan/epoch-plan.js';
import type { PlanManifest } from '../../lib/core/plan/manifest.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey, shardFileKey } from '../../lib/core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardFileEntry, ShardsManifest } from '../../lib/core/shards/shard-manifest.js';
import { findStrategy } from '../../lib/core/strategies/registry.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { joinKey, type ObjectStore } from '../../lib/io/object-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { readEpochPlan } from '../../lib/run/plan/read-epoch-plan.js';

/** What was written. */
export interface WrittenRun {
  readonly index: LengthIndex;
  readonly plan: PlanManifest;
  readonly shards: ShardsManifest;
  readonly epochManifests: ShardEpochManifest[];
}

/** Rejects written into the run (two reasons, one of them twice). */
export const FIXTURE_REJECTS = [
  { source: 'a.jsonl', byteOffset: 10, recordId: 'r1', reason: 'image "x.jpg": missing image file' },
  { source: 'a.jsonl', byteOffset: 90, recordId: 'r2', reason: 'image "y.jpg": missing image file' },
  { source: 'b.jsonl', byteOffset: 0, recordId: null, reason: 'record is null, not a JSON object' },
];

/** Write index, plan, index-only shards with manifests, and rejects for `spec` over a synthetic index. */
export async function writeAuditableRun(store: ObjectStore, samples: number, spec: Record<string, unknown>): Promise<WrittenRun> {
  const index = syntheticLengthIndex(samples, 17);
  await store.put(INDEX_KEY, encodeLengthIndex(index));
  const plan = await planIndexFile({ index: { store, key: INDEX_KEY }, spec, out: { store, prefix: 'plan' } });
  const epochManifests: ShardEpochManifest[] = [];
  for (const { epoch } of plan.epochs) epochManifests.push(await writeEpochShards(store, index, plan, epoch));
  const identity = shardIdentity(plan, epochManifests[0]!);
  const shards: ShardsManifest = {
    kind: 'shards-manifest',
    ...identity,
    sampleCount: plan.sampleCount,
    epochs: await Promise.all(
      epochManifests.map(async (m) => ({
        epoch: m.epoch,
        key: shardEpochManifestKey(m.epoch),
        sha256: sha256Hex(await store.get(joinKey(SHARDS_PREFIX, shardEpochManifestKey(m.epoch)))),
      })),
    ),
  };
  await store.put(joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), JSON.stringify(shards, null, 2));
  await store.put('rejects/part-0000-000000.jsonl', FIXTURE_REJECTS.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { index, plan, shards, epochManifests };
}

async function writeEpochShards(store: ObjectStore, index: LengthIndex, plan: PlanManifest, epoch: number): Promise<ShardEpochManifest> {
  const { plan: epochPlan, manifest } = await readEpochPlan({ store, prefix: 'plan' }, epoch);
  const lengths = lengthsForStrategy(index, plan.lengthColumn, findStrategy(plan.strategyId).usesModalitySign);
  const spec = plan.spec as { perDeviceBatchSize: number; gradientAccumulation: number };
  const files: ShardFileEntry[] = [];
  for (let rank = 0; rank < epochPlan.worldSize; rank++) {
    const sampleIds = rankSampleIds(epochPlan, rank).slice();
    const rows = indexRows(index, sampleIds, lengths, rankPaddingFlags(epochPlan, rank).slice());
    const meta: ShardMeta = {
      planFingerprint: plan.runFingerprint,
      indexFingerprint: plan.indexFingerprint,
      tokenizerFingerprint: '',
      strategyId: plan.strategyId,
      epoch,
      rank,
      worldSize: epochPlan.worldSize,
      microBatchSize: spec.perDeviceBatchSize,
      gradientAccumulation: spec.gradientAccumulation,
      firstStep: 0,
    };
    const bytes = encodeShardFile(rows, meta);
    const key = shardFileKey(epoch, rank, 'index');
    await store.put(joinKey(SHARDS_PREFIX, key), bytes);
    const steps = Math.ceil(sampleIds.length / spec.perDeviceBatchSize);
    files.push({ rank, variant: 'index', key, bytes: bytes.length, sha256: sha256Hex(bytes), steps, entries: sampleIds.length, firstStep: 0 });
  }
  const epochManifest: ShardEpochManifest = {
    kind: 'epoch-shards-manifest',
    ...shardIdentity(plan, { microBatchSize: spec.perDeviceBatchSize, gradientAccumulation: spec.gradientAccumulation, worldSize: epochPlan.worldSize }),
    epoch,
    stepsPerRank: manifest.counts.stepsPerRank,
    files,
  };
  await store.put(joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch)), JSON.stringify(epochManifest, null, 2));
  return epochManifest;
}

/** A rank's index-only rows: per-sample columns gathered from the index by id. */
function indexRows(index: LengthIndex, sampleIds: Int32Array, lengths: Int32Array, isPadding: Uint8Array): ShardRows {
  const ids = Array.from(sampleIds);
  return {
    sampleIds,
    recordIds: utf8ColumnFromStrings(ids.map((id) => utf8At(index.recordIds, id))),
    lengths: Int32Array.from(ids, (id) => lengths[id]!),
    totalTokens: Int32Array.from(ids, (id) => index.totalTokens[id]!),
    trainableTokens: Int32Array.from(ids, (id) => index.trainableTokens[id]!),
    modality: Uint8Array.from(ids, (id) => index.modality[id]!),
    isPadding,
  };
}

function shardIdentity(plan: PlanManifest, shape: { worldSize: number; microBatchSize: number; gradientAccumulation: number }) {
  return {
    formatVersion: 1 as const,
    planFingerprint: plan.runFingerprint,
    indexFingerprint: plan.indexFingerprint,
    tokenizerFingerprint: '',
    strategyId: plan.strategyId,
    worldSize: shape.worldSize,
    microBatchSize: shape.microBatchSize,
    gradientAccumulation: shape.gradientAccumulation,
  };
}

/**
 * Rewrite one index-only shard consistently — re-encoded and re-listed with its new size and
 * sha256 in the epoch manifest, whose new sha256 goes into the root manifest — as a tamperer who
 * covers their tracks would: only the audit's re-derivation can catch it.
 */
export async function rewriteShardConsistently(store: ObjectStore, epoch: number, rank: number, edit: (rows: ShardRows) => ShardRows): Promise<void> {
  const key = shardFileKey(epoch, rank, 'index');
  const columns = readShardColumns(await store.get(joinKey(SHARDS_PREFIX, key)), key);
  const { metadata } = columns;
  const rows = edit(columns);
  const bytes = encodeShardFile(rows, { ...metadata });
  await store.put(joinKey(SHARDS_PREFIX, key), bytes);
  const manifestKey = joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch));
  const manifest = JSON.parse(new TextDecoder().decode(await store.get(manifestKey))) as ShardEpochManifest;
  const entry = manifest.files.find((f) => f.key === key)!;
  Object.assign(entry, {
    bytes: bytes.length,
    sha256: sha256Hex(bytes),
    entries: rows.sampleIds.length,
    steps: Math.ceil(rows.sampleIds.length / metadata.microBatchSize),
  });
  const text = JSON.stringify(manifest, null, 2);
  await store.put(manifestKey, text);
  const rootKey = joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY);
  const root = JSON.parse(new TextDecoder().decode(await store.get(rootKey))) as ShardsManifest;
  root.epochs.find((e) => e.epoch === epoch)!.sha256 = sha256Hex(text);
  await store.put(rootKey, JSON.stringify(root, null, 2));
}

/** The rows without row `row` (every later row moves up one place). */
export function withoutRow(rows: ShardRows, row: number): ShardRows {
  const cut = <T extends Int32Array | Uint8Array>(a: T): T => {
    const out = a.slice(0, a.length - 1) as T;
    out.set(a.subarray(row + 1), row);
    return out;
  };
  const ids = Array.from(rows.sampleIds);
  const strings = ids.map((_, p) => utf8At(rows.recordIds, p));
  strings.splice(row, 1);
  return {
    sampleIds: cut(rows.sampleIds),
    recordIds: utf8ColumnFromStrings(strings),
    lengths: cut(rows.lengths),
    totalTokens: cut(rows.totalTokens),
    trainableTokens: cut(rows.trainableTokens),
    modality: cut(rows.modality),
    isPadding: cut(rows.isPadding),
  };
}

/** The rows with row `row` holding sample `id` (its per-sample columns taken from the index). */
export function withSampleAt(rows: ShardRows, row: number, id: number, index: LengthIndex, planLengths: Int32Array): ShardRows {
  const copy = {
    ...rows,
    sampleIds: rows.sampleIds.slice(),
    lengths: rows.lengths.slice(),
    totalTokens: rows.totalTokens.slice(),
    trainableTokens: rows.trainableTokens.slice(),
    modality: rows.modality.slice(),
  };
  copy.sampleIds[row] = id;
  copy.lengths[row] = planLengths[id]!;
  copy.totalTokens[row] = index.totalTokens[id]!;
  copy.trainableTokens[row] = index.trainableTokens[id]!;
  copy.modality[row] = index.modality[id]!;
  return copy;
}
