/**
 * The local run of the shard stages (`megashard shards <run>`): the same use-cases the pipeline
 * fans out — list the routes, Route every tokens file, Assemble every section, finish each epoch
 * from the Assemble results, the root manifest last, the intermediates deleted — called in sequence
 * in one process.
 */
import type { ShardEpochManifest, ShardsManifest } from '../../core/shards/shard-manifest.js';
import { routeItemSchema, shardSectionSchema } from '../../core/shards/shard-sections.js';
import { SHARD_WORK_KEY } from '../../core/run-layout.js';
import { ROUTE_WORK_KEY, WORK_PREFIX } from '../../core/shards/route-layout.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { deleteUnder, type ObjectStore } from '../../io/object-store.js';
import { z } from 'zod';
import { assembleShardSection, type AssembledSection } from './assemble-shard-section.js';
import { finishShardEpochFromResults } from './finish-shard-epoch.js';
import { finishShards } from './finish-shards.js';
import { listShardRoutes, type ShardSectionBudget } from './list-shard-routes.js';
import { routeTokensFile } from './route-tokens-file.js';

/** Options of the local shard run. */
export interface WriteRunShardsOptions {
  readonly budget?: ShardSectionBudget;
  readonly onEpoch?: (manifest: ShardEpochManifest) => void;
}

/** Write every planned epoch's shards and manifests, `shards/manifest.json` last. */
export async function writeRunShards(run: ObjectStore, options: WriteRunShardsOptions = {}): Promise<ShardsManifest> {
  const listed = await listShardRoutes(run, options.budget);
  const routes = parseJsonArtifact(await run.get(ROUTE_WORK_KEY), z.array(routeItemSchema), `${run.location}/${ROUTE_WORK_KEY}`);
  for (const route of routes) await routeTokensFile(run, route);
  const sections = parseJsonArtifact(await run.get(SHARD_WORK_KEY), z.array(shardSectionSchema), `${run.location}/${listed.shardWorkKey}`);
  const results: AssembledSection[] = [];
  for (const section of sections) results.push(await assembleShardSection(run, section));
  for (const epoch of [...new Set(sections.map((s) => s.epoch))]) {
    const { manifest } = await finishShardEpochFromResults(run, epoch, results);
    options.onEpoch?.(manifest);
  }
  const root = await finishShards(run);
  await deleteUnder(run, `${WORK_PREFIX}/shards/`);
  return root;
}
