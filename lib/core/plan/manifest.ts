import { z } from 'zod';
import { lengthColumnSchema } from '../spec/common-fields.js';
import { epochMixtureSchema } from '../mixture/epoch-mixture.js';
import { epochPackingSchema } from './packing-manifest.js';

/** Version of the manifests' JSON layout; bump on any change of fields or meaning. */
export const PLAN_MANIFEST_FORMAT_VERSION = 1;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a lowercase sha256 hex digest' });
const count = z.number().int().min(0);

/** One rank's plan file, as listed in its epoch manifest. */
export const rankFileEntrySchema = z
  .object({
    rank: count,
    key: z.string().min(1),
    bytes: count,
    sha256: sha256Schema,
    entries: count,
    steps: count,
  })
  .strict();

/** Where a resharded plan came from: the plan it continues and how far that one got. */
export const reshardOriginSchema = z
  .object({
    runFingerprint: sha256Schema,
    epoch: count,
    worldSize: z.number().int().min(1),
    consumedSteps: count,
  })
  .strict();

/** What identifies a plan, repeated in every manifest so each one stands alone. */
const planIdentityFields = {
  formatVersion: z.literal(PLAN_MANIFEST_FORMAT_VERSION),
  runFingerprint: sha256Schema,
  indexFingerprint: z.string().min(1),
  strategyId: z.string().min(1),
  spec: z.record(z.string(), z.unknown()),
  lengthColumn: lengthColumnSchema,
  /** Present on a reshard: the plan it continues. */
  reshardOf: reshardOriginSchema.optional(),
};

/** `epoch-NNNN/manifest.json`: what an epoch's plan holds and how to verify every file. */
export const epochManifestSchema = z
  .object({
    kind: z.literal('epoch-plan-manifest'),
    ...planIdentityFields,
    epoch: count,
    counts: z
      .object({
        indexSamples: count,
        plannedEntries: count,
        distinctSamples: count,
        paddingEntries: count,
        droppedSamples: count,
        stepsPerRank: count,
        minStepsPerRank: count,
      })
      .strict(),
    droppedIds: z.array(count),
    /** Present when the spec weights its sources: what this epoch drew from each (the audit checks it). */
    mixture: epochMixtureSchema.optional(),
    /** Present when the spec packs: budget, policy, efficiency, balance and why each dropped id was rejected. */
    packing: epochPackingSchema.optional(),
    files: z.array(rankFileEntrySchema),
  })
  .strict();

/** `manifest.json` at the plan's root, written last: its presence means the plan is complete. */
export const planManifestSchema = z
  .object({
    kind: z.literal('plan-manifest'),
    ...planIdentityFields,
    sampleCount: count,
    epochs: z.array(z.object({ epoch: count, key: z.string().min(1), sha256: sha256Schema }).strict()),
  })
  .strict();

export type RankFileEntry = z.infer<typeof rankFileEntrySchema>;
export type ReshardOrigin = z.infer<typeof reshardOriginSchema>;
export type EpochManifest = z.infer<typeof epochManifestSchema>;
export type PlanManifest = z.infer<typeof planManifestSchema>;

/** Key of an epoch's folder: zero-padded so listings sort in epoch order. */
export function epochFolder(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** Key of a rank's plan file inside its epoch folder. */
export function rankFileKey(epoch: number, rank: number): string {
  return `${epochFolder(epoch)}/rank-${String(rank).padStart(5, '0')}.arrow`;
}
