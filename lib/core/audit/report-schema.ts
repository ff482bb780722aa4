/**
 * `audit/report.json`: the single source of the audit report's shape (documented in docs/audit.md).
 * Everything in it is re-derived from the written shards; the HTML page is a pure function of it.
 */
import { z } from 'zod';

/** Version of the report's JSON layout; bump on any change of fields or meaning. */
export const AUDIT_REPORT_FORMAT_VERSION = 2;

const count = z.number().int().min(0);
const ratio = z.number().finite();

/** Stable ids of the checks, in report order. */
export const checkIdSchema = z.enum([
  'shard-files',
  'known-ids',
  'exactly-once',
  'padding-declared',
  'source-weights',
  'equal-steps',
  'full-micro-batches',
  'pack-structure',
  'pack-budget',
  'pack-image-cap',
  'pack-positions',
  'boundary-labels',
  'matches-plan',
  'index-agreement',
  'longest-first',
  'epochs-differ',
]);

/** pass; fail (the command exits 1); warn (reported, exit 0); skip (nothing to check, e.g. no index). */
export const checkStatusSchema = z.enum(['pass', 'fail', 'warn', 'skip']);

export const findingSchema = z.object({ epoch: count.nullable(), rank: count.nullable(), step: count.nullable(), message: z.string() }).strict();

export const checkSchema = z
  .object({
    id: checkIdSchema,
    title: z.string(),
    /** What passing proves. */
    description: z.string(),
    status: checkStatusSchema,
    /** One line: what was checked, or the first failure. */
    summary: z.string(),
    /** Exact number of failures (all epochs). */
    failureCount: count,
    /** The first few failures, each naming epoch, rank and step as far as known. */
    failures: z.array(findingSchema),
  })
  .strict();

const planQualitySchema = z
  .object({
    /** Mean over steps of (busiest rank's tokens ÷ mean rank tokens − 1). */
    meanStepTokenImbalance: ratio,
    /** Share of padded token slots (longest × rows, per micro-batch) that are padding. */
    wastedSlotFraction: ratio,
    /** Padding tokens per real token (the figure `bench quality` prints). */
    paddingPerRealToken: ratio,
  })
  .strict();

/** One mixed epoch's sources: declared (drawn less declared drops) vs seen unflagged, and the running count of samples seen. */
const sourceMixSchema = z
  .object({
    rule: z.string(),
    sources: z.array(
      z
        .object({
          name: z.string(),
          samples: count,
          declaredEntries: count,
          seenEntries: count,
          declaredDistinct: count,
          seenDistinct: count,
          /** Distinct samples seen at least once in this epoch or an earlier one. */
          seenSoFar: count,
          /** The plan manifest's warning: the weight rounds the source to zero entries this epoch. */
          warning: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** A packed epoch's figures: budget, fill and rank balance by attention cost. */
const packingFiguresSchema = z
  .object({
    maxTokens: z.number().int().min(1),
    maxImagesPerPack: z.number().int().min(1).nullable(),
    overLength: z.enum(['own-pack', 'reject']),
    /** Packs that are not declared padding. */
    packs: count,
    /** Σ tokens ÷ (maxTokens × packs), padding packs left out. */
    efficiency: ratio,
    /** Packs over the budget under the declared own-pack exception (a lone over-length sample). */
    ownPackOverBudget: count,
    /** Mean over steps of (dearest rank's cost ÷ mean rank's − 1), cost Σ L² + c·L with c = costLinearWeight. */
    meanStepCostImbalance: ratio,
    costLinearWeight: z.number().min(0),
    worstStepCost: z.object({ step: count, imbalance: ratio, busiestRank: count }).strict(),
    /** Packs by tokens ÷ maxTokens: bins of binWidth over [0, 1], the last bin = over the budget. */
    fill: z.object({ binWidth: ratio, counts: z.array(count) }).strict(),
  })
  .strict();

export const epochReportSchema = z
  .object({
    epoch: count,
    ranks: count,
    entries: count,
    distinctSamples: count,
    paddingEntries: count,
    droppedSamples: count,
    /** distinctSamples ÷ index samples. */
    coverage: ratio,
    stepsPerRank: z.object({ min: count, max: count }).strict(),
    /** Declared padding entries, listed (parallel arrays, first LISTED_PADDING_ENTRIES). */
    padding: z.object({ sampleIds: z.array(count), ranks: z.array(count), steps: z.array(count) }).strict(),
    /** Measured on each row's total_tokens: the shards as written, and the same entries in a seeded random order. */
    quality: z.object({ written: planQualitySchema, randomOrder: planQualitySchema }).strict(),
    worstStep: z.object({ step: count, imbalance: ratio, busiestRank: count }).strict(),
    longestFirst: z
      .object({
        holds: z.boolean(),
        longest: z.object({ sampleId: z.number().int(), length: count, rank: count, step: count }).strict().nullable(),
        firstStepLongest: count,
      })
      .strict(),
    /** Per-rank tokens per step, downsampled (row-major rows × columns, mean tokens per rank per step). */
    heatmap: z.object({ rows: count, columns: count, ranksPerRow: count, stepsPerColumn: count, meanTokens: z.array(ratio) }).strict(),
    /** Per-step busiest ÷ mean, downsampled (mean and max per column). */
    imbalanceSeries: z.object({ stepsPerColumn: count, mean: z.array(ratio), max: z.array(ratio) }).strict(),
    /** A mixed epoch (its plan weights sources): per source, what the recomputed draw owes and what the shards hold. */
    mix: sourceMixSchema.optional(),
    /** A packed epoch (its shards are format 2): packing figures re-derived from the packs (packed-packs.ts). */
    packing: packingFiguresSchema.optional(),
  })
  .strict();

export const auditReportSchema = z
  .object({
    kind: z.literal('audit-report'),
    formatVersion: z.literal(AUDIT_REPORT_FORMAT_VERSION),
    /** No check failed (warnings allowed). */
    passed: z.boolean(),
    run: z
      .object({
        planFingerprint: z.string(),
        indexFingerprint: z.string(),
        strategyId: z.string(),
        worldSize: z.number().int().min(1),
        microBatchSize: z.number().int().min(1),
        gradientAccumulation: z.number().int().min(1),
        sampleCount: count,
        epochs: count,
      })
      .strict(),
    /** Shard files read and verified against their manifests' sha256. */
    files: z.object({ verified: count, bytes: count }).strict(),
    checks: z.array(checkSchema),
    epochs: z.array(epochReportSchema),
    epochOrder: z.array(z.object({ epochA: count, epochB: count, samePositionFraction: ratio, identical: z.boolean() }).strict()),
    /** total_tokens of each sample of the first epoch, by modality. */
    lengthHistogram: z
      .object({ epoch: count, binWidth: z.number().int().min(1), bins: count, counts: z.record(z.string(), z.array(count)), unknownModality: count })
      .strict()
      .nullable(),
    rejects: z
      .object({
        total: count,
        byReason: z.array(z.object({ reason: z.string(), count, example: z.string(), sources: z.array(z.string()) }).strict()),
      })
      .strict(),
    context: z
      .object({
        /** 1 − (1 − 1/W)^W: share of samples seen if every rank shuffled with its own unsynchronised seed. */
        unsynchronisedSeedsCoverage: ratio,
      })
      .strict(),
  })
  .strict();

export type CheckId = z.infer<typeof checkIdSchema>;
export type CheckStatus = z.infer<typeof checkStatusSchema>;
export type AuditCheck = z.infer<typeof checkSchema>;
export type EpochReport = z.infer<typeof epochReportSchema>;
export type AuditReport = z.infer<typeof auditReportSchema>;
