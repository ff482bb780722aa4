/**
 * A one-rank, one-epoch run holding a real shard file of about a requested size, with the epoch and
 * root manifests the contract asks for: what `bench pull` pulls. Token ids come from a seeded
 * xorshift, so the same options always give the same bytes.
 */
import { encodeShardFile, type ShardMeta, type ShardRows } from '../arrow/shard-file.js';
import { sha256Hex } from '../core/fingerprint.js';
import { utf8ColumnFromStrings } from '../core/index/length-index.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey, shardFileKey } from '../core/shards/shard-layout.js';
import { SHARD_MANIFEST_FORMAT_VERSION, shardEpochManifestSchema, shardsManifestSchema, type ShardFileEntry } from '../core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../io/object-store.js';

/** Options of writeSyntheticShardRun. */
export interface SyntheticShardRunOptions {
  /** The shard file's approximate size; it holds whole samples, so it ends up slightly larger. */
  readonly targetBytes: number;
  readonly tokensPerSample?: number;
  readonly microBatchSize?: number;
  readonly seed?: number;
}

const IDENTITY = {
  formatVersion: SHARD_MANIFEST_FORMAT_VERSION,
  planFingerprint: '0'.repeat(64),
  indexFingerprint: 'synthetic',
  tokenizerFingerprint: 'synthetic',
  strategyId: 'balanced@1',
  worldSize: 1,
  gradientAccumulation: 1,
} as const;

/** Write the run under `shards/` of `run`; returns the manifest entry of its one (tokens) shard. */
export async function writeSyntheticShardRun(run: ObjectStore, options: SyntheticShardRunOptions): Promise<ShardFileEntry & { storeKey: string }> {
  const { tokensPerSample = 2048, microBatchSize = 4, seed = 1 } = options;
  // input_ids + labels: 8 bytes per token dominate a sample's bytes.
  const samples = Math.max(microBatchSize, Math.ceil(options.targetBytes / (8 * tokensPerSample) / microBatchSize) * microBatchSize);
  const meta: ShardMeta = { ...IDENTITY, microBatchSize, epoch: 0, rank: 0, firstStep: 0 };
  const bytes = encodeShardFile(syntheticRows(samples, tokensPerSample, seed), meta);
  const key = shardFileKey(0, 0, 'tokens');
  const storeKey = joinKey(SHARDS_PREFIX, key);
  await run.put(storeKey, bytes);
  const steps = samples / microBatchSize;
  const entry: ShardFileEntry = { rank: 0, variant: 'tokens', key, bytes: bytes.length, sha256: sha256Hex(bytes), steps, entries: samples, firstStep: 0 };
  const epochManifest = JSON.stringify(
    shardEpochManifestSchema.parse({ kind: 'epoch-shards-manifest', ...IDENTITY, microBatchSize, epoch: 0, stepsPerRank: steps, files: [entry] }),
  );
  await run.put(joinKey(SHARDS_PREFIX, shardEpochManifestKey(0)), epochManifest);
  const root = shardsManifestSchema.parse({
    kind: 'shards-manifest',
    ...IDENTITY,
    microBatchSize,
    sampleCount: samples,
    epochs: [{ epoch: 0, key: shardEpochManifestKey(0), sha256: sha256Hex(epochManifest) }],
  });
  await run.put(joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), JSON.stringify(root));
  return { ...entry, storeKey };
}

/** Text-only samples of `tokensPerSample` ids each (labels: the ids, the first quarter masked). */
function syntheticRows(samples: number, tokensPerSample: number, seed: number): ShardRows {
  const tokenCount = samples * tokensPerSample;
  const inputIds = new Int32Array(tokenCount);
  const labels = new Int32Array(tokenCount);
  let state = seed | 0 || 1;
  for (let t = 0; t < tokenCount; t++) {
    // xorshift32: cheap, seeded, and enough entropy that nothing downstream could compress it away.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    inputIds[t] = (state >>> 0) % 32_000;
    labels[t] = t % tokensPerSample < tokensPerSample / 4 ? -100 : inputIds[t]!;
  }
  const ids = Int32Array.from({ length: samples }, (_, p) => p);
  const per = (value: number) => new Int32Array(samples).fill(value);
  return {
    sampleIds: ids,
    recordIds: utf8ColumnFromStrings(Array.from({ length: samples }, (_, p) => `synthetic-${p}`)),
    lengths: per(-tokensPerSample),
    totalTokens: per(tokensPerSample),
    trainableTokens: per(tokensPerSample - Math.ceil(tokensPerSample / 4)),
    modality: new Uint8Array(samples),
    isPadding: new Uint8Array(samples),
    tokens: {
      tokenOffsets: Int32Array.from({ length: samples + 1 }, (_, p) => p * tokensPerSample),
      inputIds,
      labels,
      imageOffsets: new Int32Array(samples + 1),
      images: utf8ColumnFromStrings([]),
      imageTokens: new Int32Array(0),
    },
  };
}
