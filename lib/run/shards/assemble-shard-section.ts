/**
 * Assemble: phase two of the shard shuffle. One call per section (an epoch's rank range) reads
 * that section from every routed object, puts the rows back in plan order and writes each rank's
 * shard files — the same bytes the single-pass writer produced — reporting every file's size and
 * sha256 (computed from the bytes it wrote), which is what FinishShards builds the manifests from.
 */
import { z } from 'zod';
import { encodeShardFile, shardPackingSchema, type DecodedPlanRank, type ShardMeta, type ShardPacking } from '../../arrow/index.js';
import type { PlanManifest } from '../../core/plan/manifest.js';
import { sha256Hex } from '../../core/fingerprint.js';
import { SHARDS_PREFIX, shardFileKey } from '../../core/shards/shard-layout.js';
import { shardFileEntrySchema, type ShardFileEntry } from '../../core/shards/shard-manifest.js';
import type { RoutingManifest, ShardSection } from '../../core/shards/shard-sections.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { readPlannedEpoch, readPlannedRank, readPlanRoot } from '../plan/read-planned-rank.js';
import { fetchRoutedSections } from './fetch-routed-sections.js';
import { RoutedSlots } from './place-routed-rows.js';
import { readRoutingManifest } from './route-tokens-file.js';
import { isPackedPlanRank, packedLayoutOf, shardPackingOf, toPackedShardRows } from './packed-shard-rows.js';

/** The identity every shard of a run repeats (the shard manifests' identity fields). */
export const shardIdentitySchema = z
  .object({
    planFingerprint: z.string(),
    indexFingerprint: z.string(),
    tokenizerFingerprint: z.string(),
    strategyId: z.string(),
    worldSize: z.number().int().min(1),
    microBatchSize: z.number().int().min(1),
    gradientAccumulation: z.number().int().min(1),
  })
  .strict();

/** What an Assemble call reports: every file it wrote, as its epoch manifest will list it. */
export const assembledSectionSchema = z
  .object({
    epoch: z.number().int().min(0),
    ranks: z.tuple([z.number().int().min(0), z.number().int().min(1)]),
    section: z.number().int().min(0),
    identity: shardIdentitySchema,
    files: z.array(shardFileEntrySchema),
    /** A packed plan's packing facts (the shard manifests repeat them); absent for fixed plans. */
    packing: shardPackingSchema.optional(),
    /** Bytes of routed sections read (what the section drew from the tokens files). */
    routedBytes: z.number().int().min(0),
  })
  .strict();
export type AssembledSection = z.infer<typeof assembledSectionSchema>;
export type ShardIdentity = z.infer<typeof shardIdentitySchema>;

/** Write the shard files of one section's ranks from the routed objects. */
export async function assembleShardSection(run: ObjectStore, section: ShardSection, readsInFlight = DEFAULT_REQUESTS_IN_FLIGHT): Promise<AssembledSection> {
  // The plan first: a section the plan does not have is bad input, whatever else is missing.
  const root = await readPlanRoot(run);
  const planned = await readPlannedEpoch(run, root, section.epoch);
  const [from, to] = section.ranks;
  const plans = await mapWithConcurrency(to - from, readsInFlight, (r) => readPlannedRank(run, planned, from + r));
  const routing = await readRoutingManifest(run);
  const { parts, bytesRead } = await fetchRoutedSections(run, routing, section.section, readsInFlight);
  const slots = new RoutedSlots(from, plans, parts);
  slots.checkComplete((rank) => `${run.location}/${joinKey(SHARDS_PREFIX, shardFileKey(section.epoch, rank, 'index'))}`);
  const packing = isPackedPlanRank(plans[0]!) ? shardPackingOf(root, plans[0]!, `${run.location}/plan`) : undefined;
  const files: ShardFileEntry[] = [];
  for (let rank = from; rank < to; rank++) files.push(...(await writeRank(run, routing, slots, plans[rank - from]!, rank, packing)));
  const identity = identityOf(routing, plans[0]!);
  return { epoch: section.epoch, ranks: [from, to], section: section.section, identity, files, ...(packing ? { packing } : {}), routedBytes: bytesRead };
}

/** Both variants of one rank (tokens first, as manifests list them), hashed as written. */
async function writeRank(
  run: ObjectStore,
  routing: RoutingManifest,
  slots: RoutedSlots,
  plan: DecodedPlanRank,
  rank: number,
  packing: ShardPacking | undefined,
): Promise<ShardFileEntry[]> {
  const meta = { ...shardMeta(routing, plan), ...(packing ? { packing } : {}) };
  const withTokens = routing.variants.includes('tokens');
  // A packed plan: record batch k is the plan's step k (whole packs), labels masked at pack starts.
  const layout = packing ? packedLayoutOf(plan) : undefined;
  const rows = layout ? toPackedShardRows(slots.rankRows(rank, withTokens), layout) : slots.rankRows(rank, withTokens);
  const entries: ShardFileEntry[] = [];
  for (const variant of withTokens ? (['tokens', 'index'] as const) : (['index'] as const)) {
    const bytes = encodeShardFile(variant === 'tokens' ? rows : { ...rows, tokens: undefined }, meta, layout?.stepStarts);
    const key = shardFileKey(meta.epoch, rank, variant);
    await run.put(joinKey(SHARDS_PREFIX, key), bytes);
    const steps = layout ? layout.stepStarts.length - 1 : Math.ceil(rows.sampleIds.length / meta.microBatchSize);
    entries.push({ rank, variant, key, bytes: bytes.length, sha256: sha256Hex(bytes), steps, entries: rows.sampleIds.length, firstStep: meta.firstStep });
  }
  return entries;
}

function shardMeta(routing: RoutingManifest, plan: DecodedPlanRank): ShardMeta {
  const { metadata } = plan;
  return {
    planFingerprint: routing.planFingerprint,
    indexFingerprint: routing.indexFingerprint,
    tokenizerFingerprint: routing.tokenizerFingerprint,
    strategyId: metadata.strategyId,
    epoch: metadata.epoch,
    rank: metadata.rank,
    worldSize: metadata.worldSize,
    microBatchSize: metadata.microBatchSize,
    gradientAccumulation: metadata.gradientAccumulation,
    firstStep: metadata.firstStep,
  };
}

function identityOf(routing: RoutingManifest, plan: DecodedPlanRank): ShardIdentity {
  const { metadata } = plan;
  return {
    planFingerprint: routing.planFingerprint,
    indexFingerprint: routing.indexFingerprint,
    tokenizerFingerprint: routing.tokenizerFingerprint,
    strategyId: metadata.strategyId,
    worldSize: metadata.worldSize,
    microBatchSize: metadata.microBatchSize,
    gradientAccumulation: metadata.gradientAccumulation,
  };
}
