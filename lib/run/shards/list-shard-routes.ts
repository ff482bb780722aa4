/**
 * The PlanShards step that prepares the two-phase shard shuffle: cut every epoch into sections
 * (rank ranges an Assemble call writes), then, for every (epoch, tokens file), the route list of
 * the entries whose samples that file holds. One call, because it needs the whole plan and index;
 * its memory is one epoch's entries (≈ 24 bytes each) plus the index.
 */
import { z } from 'zod';
import { encodeRouteList } from '../../arrow/route-list-file.js';
import { SHARD_WORK_KEY } from '../../core/run-layout.js';
import { routeEpochEntries, sectionsOfRanks } from '../../core/shards/route-entries.js';
import { ROUTE_WORK_KEY, ROUTING_KEY, routeListKey } from '../../core/shards/route-layout.js';
import { planShardSections, sectionsOfEpoch, type RouteItem, type RoutingManifest, type ShardSection } from '../../core/shards/shard-sections.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readPlannedEpoch, readPlannedRank } from '../plan/read-planned-rank.js';
import { writeIndexOnlyRoutes } from './index-only-routes.js';
import { routeListRows } from './route-list-rows.js';
import { loadShardRunInputs, type ShardRunInputs } from './shard-run-inputs.js';

/** Default tokens one Assemble call holds (ids + labels at 8 bytes a token: 256 MiB). */
export const ASSEMBLE_TOKENS_PER_CALL = 1 << 25;
/** Default most ranks one Assemble call writes: 1,024 ranks make at least 16 calls per epoch. */
export const ASSEMBLE_RANKS_PER_CALL = 64;

/** How sections are sized (the dataset's tuning block or flags). */
export interface ShardSectionBudget {
  readonly tokensPerCall?: number;
  readonly ranksPerCall?: number;
}

/** What the step reports (small: it travels between states). */
export const listedShardRoutesSchema = z
  .object({ shardWorkKey: z.string(), sections: z.number().int().min(0), routeWorkKey: z.string(), routes: z.number().int().min(0), routingKey: z.string() })
  .strict();
export type ListedShardRoutes = z.infer<typeof listedShardRoutesSchema>;

/** Write the sections, the route lists, the Route items and the routing manifest of a planned run. */
export async function listShardRoutes(run: ObjectStore, budget: ShardSectionBudget = {}): Promise<ListedShardRoutes> {
  const inputs = await loadShardRunInputs(run);
  const sections = await planSections(run, inputs, budget);
  await run.put(SHARD_WORK_KEY, JSON.stringify(sections));
  const epochs = inputs.planRoot.epochs.map((e) => e.epoch);
  const files = inputs.tokens?.keys.length ?? 0;
  for (const epoch of epochs) await routeEpoch(run, inputs, sections, epoch, epochs.indexOf(epoch));
  const routes: RouteItem[] = inputs.tokens ? inputs.tokens.keys.map((tokensKey, file) => ({ file, tokensKey, epochs })) : [];
  await run.put(ROUTE_WORK_KEY, JSON.stringify(routes));
  const routing: RoutingManifest = {
    kind: 'shard-routing',
    formatVersion: 1,
    planFingerprint: inputs.planRoot.runFingerprint,
    indexFingerprint: inputs.planRoot.indexFingerprint,
    tokenizerFingerprint: inputs.tokens?.tokenizerFingerprint ?? '',
    variants: [...inputs.variants],
    routedObjects: inputs.tokens ? files : epochs.length,
    sections: sections.length,
  };
  await run.put(ROUTING_KEY, `${JSON.stringify(routing, null, 2)}\n`);
  return { shardWorkKey: SHARD_WORK_KEY, sections: sections.length, routeWorkKey: ROUTE_WORK_KEY, routes: routes.length, routingKey: ROUTING_KEY };
}

/** Sections of every planned epoch, sized from the plan's entries per rank and the index's mean tokens. */
async function planSections(run: ObjectStore, inputs: ShardRunInputs, budget: ShardSectionBudget): Promise<ShardSection[]> {
  const { index } = inputs;
  let tokens = 0;
  for (let id = 0; id < index.sampleCount; id++) tokens += index.textTokens[id]! + index.numImages[id]!;
  const epochs = [];
  for (const { epoch } of inputs.planRoot.epochs) {
    const planned = await readPlannedEpoch(run, inputs.planRoot, epoch);
    const entriesPerRank = new Float64Array(planned.manifest.files.length);
    for (const file of planned.manifest.files) entriesPerRank[file.rank] = file.entries;
    epochs.push({ epoch, entriesPerRank });
  }
  return planShardSections(epochs, {
    tokensPerEntry: index.sampleCount === 0 ? 0 : tokens / index.sampleCount,
    maxTokensPerItem: budget.tokensPerCall ?? ASSEMBLE_TOKENS_PER_CALL,
    maxRanksPerItem: budget.ranksPerCall ?? ASSEMBLE_RANKS_PER_CALL,
  });
}

/** One epoch: its route list per tokens file, or — for an index-only run — its routed object. */
async function routeEpoch(run: ObjectStore, inputs: ShardRunInputs, sections: readonly ShardSection[], epoch: number, ordinal: number): Promise<void> {
  const planned = await readPlannedEpoch(run, inputs.planRoot, epoch);
  const rankIds: Int32Array[] = [];
  const files = planned.manifest.files;
  const plans = await mapWithConcurrency(files.length, DEFAULT_REQUESTS_IN_FLIGHT, (i) => readPlannedRank(run, planned, files[i]!.rank));
  for (const [i, plan] of plans.entries()) rankIds[files[i]!.rank] = plan.sampleIds;
  const { tokens, index } = inputs;
  if (!tokens) {
    await writeIndexOnlyRoutes(run, { object: ordinal, epoch, rankIds, sections, index, planFingerprint: inputs.planRoot.runFingerprint });
    return;
  }
  const sectionOfRank = sectionsOfRanks(rankIds.length, sectionsOfEpoch(sections, epoch));
  const entries = routeEpochEntries({ rankIds, sectionOfRank }, { tokensRow: index.tokensRow, rowStarts: tokens.rowStarts });
  const meta = { planFingerprint: inputs.planRoot.runFingerprint, tokenizerFingerprint: tokens.tokenizerFingerprint, epoch, sections: sections.length };
  await mapWithConcurrency(tokens.keys.length, DEFAULT_REQUESTS_IN_FLIGHT, (file) =>
    run.put(routeListKey(epoch, file), encodeRouteList(routeListRows(entries, file, index), { ...meta, file })),
  );
}
