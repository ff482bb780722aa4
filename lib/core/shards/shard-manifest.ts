import { z } from 'zod';
import { shardPackingSchema } from './shard-packing.js';

/** Version of the shard manifests' JSON layout; bump on any change of fields or meaning. */
export const SHARD_MANIFEST_FORMAT_VERSION = 1;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a lowercase sha256 hex digest' });
const count = z.number().int().min(0);

/** One shard file as its epoch manifest lists it: enough to verify it whole and to size a download. */
export const shardFileEntrySchema = z
  .object({
    rank: count,
    variant: z.enum(['tokens', 'index']),
    /** Relative to the shards folder (`epoch-0000/rank-00000.arrow`). */
    key: z.string().min(1),
    bytes: count,
    sha256: sha256Schema,
    /** Record batches = micro-steps in the file. */
    steps: count,
    /** Rows (samples, padding included) in the file. */
    entries: count,
    /** Step of the first record batch (0 unless the plan resumed mid-epoch). */
    firstStep: count,
  })
  .strict();

/** What every shard manifest repeats, so each one stands alone. */
const shardIdentityFields = {
  formatVersion: z.literal(SHARD_MANIFEST_FORMAT_VERSION),
  /** The plan these shards materialise (`plan/manifest.json` → runFingerprint). */
  planFingerprint: sha256Schema,
  indexFingerprint: z.string().min(1),
  tokenizerFingerprint: z.string(),
  strategyId: z.string().min(1),
  worldSize: z.number().int().min(1),
  microBatchSize: z.number().int().min(1),
  gradientAccumulation: z.number().int().min(1),
};

/** `shards/epoch-NNNN/manifest.json`: written after every file of the epoch. */
export const shardEpochManifestSchema = z
  .object({
    kind: z.literal('epoch-shards-manifest'),
    ...shardIdentityFields,
    epoch: count,
    /** Micro-steps per rank (equal on every rank for balanced; the maximum otherwise). */
    stepsPerRank: count,
    /** Present for a packed plan: the packs' budget, image cap and over-length policy (every file is format version 2). */
    packing: shardPackingSchema.optional(),
    files: z.array(shardFileEntrySchema),
  })
  .strict();

/** `shards/manifest.json`: written last, lists every epoch manifest with its sha256. */
export const shardsManifestSchema = z
  .object({
    kind: z.literal('shards-manifest'),
    ...shardIdentityFields,
    sampleCount: count,
    /** Present for a packed plan (as in each epoch manifest). */
    packing: shardPackingSchema.optional(),
    epochs: z.array(z.object({ epoch: count, key: z.string().min(1), sha256: sha256Schema }).strict()),
  })
  .strict();

export type ShardFileEntry = z.infer<typeof shardFileEntrySchema>;
export type ShardEpochManifest = z.infer<typeof shardEpochManifestSchema>;
export type ShardsManifest = z.infer<typeof shardsManifestSchema>;
