/**
 * The items of the shard stages, as the Distributed Maps read them: a *section* per Assemble (and
 * audit-partial) call — one epoch's consecutive rank range, numbered in (epoch, rank) order — and
 * a *route* per Route call, one per tokens file. zod schemas, because both files are read back by
 * every call of their map.
 */
import { z } from 'zod';
import { planShardWork, type EpochRankEntries, type ShardWorkLimits } from './shard-work.js';

const count = z.number().int().min(0);

/** One Assemble call: ranks [from, to) of one epoch, which is section `section` of every routed object. */
export const shardSectionSchema = z
  .object({
    epoch: count,
    ranks: z.tuple([count, z.number().int().min(1)]).refine(([from, to]) => from < to, { error: 'must be [from, to) with from < to' }),
    section: count,
  })
  .strict();

/** One Route call: the tokens file at position `file` of tokenize.json, routed for every planned epoch. */
export const routeItemSchema = z
  .object({
    file: count,
    tokensKey: z.string().min(1),
    epochs: z.array(count).min(1),
  })
  .strict();

/**
 * `work/shards/routing.json`: what every Route and Assemble call shares — the identity the routed
 * rows must carry, how many routed objects and sections there are, and which shard variants to write.
 */
export const routingManifestSchema = z
  .object({
    kind: z.literal('shard-routing'),
    formatVersion: z.literal(1),
    planFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    indexFingerprint: z.string().min(1),
    /** '' for an index-only run (no tokens). */
    tokenizerFingerprint: z.string(),
    variants: z.array(z.enum(['tokens', 'index'])).min(1),
    /** Routed objects (one per tokens file; one written by PlanShards itself for an index-only run). */
    routedObjects: count,
    sections: count,
  })
  .strict();

export type ShardSection = z.infer<typeof shardSectionSchema>;
export type RouteItem = z.infer<typeof routeItemSchema>;
export type RoutingManifest = z.infer<typeof routingManifestSchema>;

/** Every epoch's sections (rank ranges sized by `limits`), numbered across epochs in order. */
export function planShardSections(epochs: readonly EpochRankEntries[], limits: ShardWorkLimits): ShardSection[] {
  return planShardWork(epochs, limits).map((item, section) => ({ epoch: item.epoch, ranks: [item.ranks[0], item.ranks[1]], section }));
}

/** The sections of one epoch, in rank order. */
export function sectionsOfEpoch(sections: readonly ShardSection[], epoch: number): ShardSection[] {
  return sections.filter((section) => section.epoch === epoch);
}
