/**
 * What an audit partial found that only it could find — the problems of reading its ranks' files
 * (size, sha256, decoding, variants, plan files) and the `matches-plan` check, which needs the plan
 * files it read — as kept-and-counted finding lists, so the reduce merges partials in rank order
 * into exactly the findings one call over every rank would have made.
 */
import { z } from 'zod';
import { FindingList, KEPT_FINDINGS_PER_CHECK, type Finding } from './finding.js';
import { findingSchema } from './report-schema.js';

const count = z.number().int().min(0);

/** A FindingList as JSON: the findings it kept and how many it counted. */
export const keptFindingsSchema = z.object({ kept: z.array(findingSchema), count }).strict();
export type KeptFindings = z.infer<typeof keptFindingsSchema>;

/** The partial's JSON (in its digest's metadata). */
export const auditPartialSchema = z
  .object({
    kind: z.literal('audit-partial'),
    formatVersion: z.literal(1),
    epoch: count,
    section: count,
    ranks: z.tuple([count, count]),
    /** The epoch's shard manifest could not be read: the reduce reports it and skips the epoch. */
    skipped: z.boolean(),
    files: z.object({ verified: count, bytes: count }).strict(),
    /** Problems with the ranks' files, rank by rank (a rank's read problems, then its plan file's). */
    fileProblems: keptFindingsSchema,
    /** `matches-plan` findings of the ranks; null when the epoch's plan manifest is not trusted. */
    planAgreement: keptFindingsSchema.nullable(),
    /** Packed runs: the token-level checks (`pack-positions`, `boundary-labels`) of the ranks' tokens shards. */
    packedTokens: z.object({ positions: keptFindingsSchema, labels: keptFindingsSchema }).strict().optional(),
  })
  .strict();
export type AuditPartial = z.infer<typeof auditPartialSchema>;

/** A FindingList's kept findings and count, as JSON. */
export function keptFindings(list: FindingList): KeptFindings {
  return { kept: list.findings.map((f) => ({ ...f })), count: list.count };
}

/** Merge kept-and-counted lists in order: the first KEPT_FINDINGS_PER_CHECK overall, every one counted. */
export function mergeKeptFindings(lists: readonly KeptFindings[]): FindingList {
  const merged = new FindingList(KEPT_FINDINGS_PER_CHECK);
  for (const list of lists) merged.addAll(list.kept as Finding[], list.count);
  return merged;
}
