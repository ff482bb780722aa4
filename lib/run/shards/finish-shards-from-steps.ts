/**
 * FinishShards in the pipeline: every Assemble call's recorded result (its step record: each file
 * it wrote with size and sha256) read back — one small object per section, no shard file — then
 * each epoch's manifest, the root manifest last, and the routed intermediates deleted.
 */
import { z } from 'zod';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { SHARD_WORK_KEY } from '../../core/run-layout.js';
import { WORK_PREFIX } from '../../core/shards/route-layout.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import { shardSectionSchema, type ShardSection } from '../../core/shards/shard-sections.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import { deleteUnder, joinKey, type ObjectStore } from '../../io/object-store.js';
import { readStepResult } from '../step-record.js';
import { assembledSectionSchema } from './assemble-shard-section.js';
import { finishShardEpochFromResults } from './finish-shard-epoch.js';
import { finishShards } from './finish-shards.js';
import { assembleStepName } from './shard-steps.js';

/** What FinishShards reports. */
export const finishedShardsSchema = z.object({ manifestKey: z.string(), epochs: z.number().int().min(0), files: z.number().int().min(0) }).strict();
export type FinishedShards = z.infer<typeof finishedShardsSchema>;

/** The run's sections (the Assemble and audit-partial items PlanShards wrote). */
export async function readShardSections(run: ObjectStore): Promise<ShardSection[]> {
  return parseJsonArtifact(await run.get(SHARD_WORK_KEY), z.array(shardSectionSchema), `${run.location}/${SHARD_WORK_KEY}`);
}

/** Write every epoch's manifest from the Assemble results, then `shards/manifest.json`; delete the routed objects. */
export async function finishShardsFromSteps(run: ObjectStore): Promise<FinishedShards> {
  const sections = await readShardSections(run);
  const results = await mapWithConcurrency(sections.length, DEFAULT_REQUESTS_IN_FLIGHT, (i) =>
    readStepResult(run, assembleStepName(sections[i]!.section), assembledSectionSchema),
  );
  let files = 0;
  for (const epoch of [...new Set(sections.map((s) => s.epoch))]) files += (await finishShardEpochFromResults(run, epoch, results)).manifest.files.length;
  const root = await finishShards(run);
  // The routed objects and route lists were only the way there: as big as the epoch's tokens.
  await deleteUnder(run, `${WORK_PREFIX}/shards/`);
  return { manifestKey: joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), epochs: root.epochs.length, files };
}
