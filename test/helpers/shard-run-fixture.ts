/**
 * A run's shards written the way the contract says (lib/core/shards): real shard files from the
 * shard encoder, epoch manifests with every file's bytes and sha256, the root manifest last. Rows
 * are drawn from an integer hash, so the same options always give the same bytes.
 */
import { encodeShardFile, type ShardMeta, type ShardRows } from '../../lib/arrow/shard-file.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey, shardFileKey, type ShardVariant } from '../../lib/core/shards/shard-layout.js';
import {
  SHARD_MANIFEST_FORMAT_VERSION,
  shardEpochManifestSchema,
  shardsManifestSchema,
  type ShardEpochManifest,
  type ShardsManifest,
} from '../../lib/core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../lib/io/object-store.js';
import { hash32 } from './length-index-fixture.js';

/** The LLaVA/XTuner image placeholder in input_ids. */
export const IMAGE_SENTINEL = -200;
/** Vision tokens each fixture image expands to (LLaVA-1.5 at 336 px). */
export const FIXTURE_IMAGE_TOKENS = 576;

/** Shape of the fixture run. */
export interface ShardRunOptions {
  readonly epochs: number;
  readonly worldSize: number;
  readonly microBatchSize: number;
  readonly stepsPerRank: number;
  /** Text tokens per sample are 4 + hash % maxTextTokens (default 40). */
  readonly maxTextTokens?: number;
  readonly variants?: readonly ShardVariant[];
  readonly seed?: number;
}

const IDENTITY = {
  formatVersion: SHARD_MANIFEST_FORMAT_VERSION,
  planFingerprint: 'a1'.repeat(32),
  indexFingerprint: 'b2'.repeat(32),
  tokenizerFingerprint: 'c3'.repeat(32),
  strategyId: 'balanced@1',
  gradientAccumulation: 2,
} as const;

/** Write the fixture run's shards under `shards/` of `run`; returns the manifests written. */
export async function writeShardRunFixture(run: ObjectStore, options: ShardRunOptions): Promise<{ root: ShardsManifest; epochs: ShardEpochManifest[] }> {
  const { epochs: epochCount, worldSize, microBatchSize, stepsPerRank, variants = ['tokens', 'index'] } = options;
  const epochs: ShardEpochManifest[] = [];
  for (let epoch = 0; epoch < epochCount; epoch++) {
    const files = [];
    for (let rank = 0; rank < worldSize; rank++) {
      const rows = fixtureRows(options, epoch, rank);
      const meta: ShardMeta = { ...IDENTITY, epoch, rank, worldSize, microBatchSize, firstStep: 0 };
      for (const variant of variants) {
        const bytes = encodeShardFile(variant === 'tokens' ? rows : { ...rows, tokens: undefined }, meta);
        const key = shardFileKey(epoch, rank, variant);
        await run.put(joinKey(SHARDS_PREFIX, key), bytes);
        files.push({ rank, variant, key, bytes: bytes.length, sha256: sha256Hex(bytes), steps: stepsPerRank, entries: rows.sampleIds.length, firstStep: 0 });
      }
    }
    const manifest = shardEpochManifestSchema.parse({
      kind: 'epoch-shards-manifest',
      ...IDENTITY,
      worldSize,
      microBatchSize,
      epoch,
      stepsPerRank,
      files,
    });
    await run.put(joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch)), `${JSON.stringify(manifest, null, 2)}\n`);
    epochs.push(manifest);
  }
  const root = shardsManifestSchema.parse({
    kind: 'shards-manifest',
    ...IDENTITY,
    worldSize,
    microBatchSize,
    sampleCount: epochCount === 0 ? 0 : worldSize * stepsPerRank * microBatchSize,
    epochs: await Promise.all(
      epochs.map(async (manifest) => {
        const key = shardEpochManifestKey(manifest.epoch);
        return { epoch: manifest.epoch, key, sha256: sha256Hex(await run.get(joinKey(SHARDS_PREFIX, key))) };
      }),
    ),
  });
  await run.put(joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), `${JSON.stringify(root, null, 2)}\n`);
  return { root, epochs };
}

/**
 * A rank's rows: image samples start with one IMAGE_SENTINEL per image (as LLaVA's tokenizer
 * output does), labels are -100 over the prompt half; every 9th row is declared padding.
 */
export function fixtureRows(options: ShardRunOptions, epoch: number, rank: number): ShardRows {
  const { worldSize, microBatchSize, stepsPerRank, maxTextTokens = 40, seed = 1 } = options;
  const n = stepsPerRank * microBatchSize;
  const draw = (p: number, salt: number) => hash32(seed + epoch * 1009, rank * n + p, salt);
  const imageCounts = Int32Array.from({ length: n }, (_, p) => draw(p, 1) % 3);
  const textCounts = Int32Array.from({ length: n }, (_, p) => 4 + (draw(p, 2) % maxTextTokens));
  const tokenOffsets = offsets(Array.from(textCounts, (text, p) => text + imageCounts[p]!));
  const imageOffsets = offsets(Array.from(imageCounts));
  const inputIds = new Int32Array(tokenOffsets[n]!);
  const labels = new Int32Array(tokenOffsets[n]!);
  for (let p = 0; p < n; p++) {
    const start = tokenOffsets[p]!;
    const length = tokenOffsets[p + 1]! - start;
    for (let t = 0; t < length; t++) {
      const id = t < imageCounts[p]! ? IMAGE_SENTINEL : 1 + (draw(p, 10 + t) % 32_000);
      inputIds[start + t] = id;
      labels[start + t] = t < length / 2 ? -100 : id;
    }
  }
  const totalTokens = Int32Array.from(textCounts, (text, p) => text + imageCounts[p]! * FIXTURE_IMAGE_TOKENS);
  return {
    sampleIds: Int32Array.from({ length: n }, (_, p) => (p * worldSize + rank + epoch * 7) % (n * worldSize)),
    recordIds: utf8ColumnFromStrings(Array.from({ length: n }, (_, p) => `rec-${epoch}-${rank}-${p}`)),
    lengths: Int32Array.from(totalTokens, (total, p) => (imageCounts[p]! > 0 ? total : -total)),
    totalTokens,
    trainableTokens: Int32Array.from(textCounts, (text) => Math.floor(text / 2)),
    modality: Uint8Array.from(imageCounts, (images) => (images === 0 ? 0 : images === 1 ? 1 : 2)),
    isPadding: Uint8Array.from({ length: n }, (_, p) => (p % 9 === 8 ? 1 : 0)),
    tokens: {
      tokenOffsets,
      inputIds,
      labels,
      imageOffsets,
      images: utf8ColumnFromStrings(Array.from({ length: imageOffsets[n]! }, (_, i) => `images/${epoch}-${rank}-${i}.jpg`)),
      imageTokens: new Int32Array(imageOffsets[n]!).fill(FIXTURE_IMAGE_TOKENS),
    },
  };
}

function offsets(sizes: readonly number[]): Int32Array {
  const out = new Int32Array(sizes.length + 1);
  sizes.forEach((size, i) => (out[i + 1] = out[i]! + size));
  return out;
}
