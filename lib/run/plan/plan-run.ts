import { shardSpecOf } from '../../core/dataset/dataset-config.js';
import { INDEX_KEY, PLAN_PREFIX } from '../../core/run-layout.js';
import { z } from 'zod';
import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { planIndexFile } from './plan-index-file.js';
import { readDatasetConfig } from '../read-dataset-config.js';

/** What PlanShards reports: the root manifest's key and the plan's identity, never the plan. */
export const plannedRunSchema = z
  .object({
    manifestKey: z.string(),
    /** The plan's fingerprint (plan/manifest.json's `runFingerprint`: named before runs had ids of their own). */
    runFingerprint: z.string(),
    strategy: z.string(),
    epochs: z.number().int().min(0),
  })
  .strict()
  .readonly();

/** What PlanShards reports. */
export type PlannedRun = z.infer<typeof plannedRunSchema>;

/**
 * Plan every epoch of the dataset's shard spec (`dataset.json` → `shard`) over the run's merged
 * index, into `plan/` of the run's folder; the root manifest is written last.
 */
export async function planRun(dataset: ObjectStore, run: ObjectStore): Promise<PlannedRun> {
  const { config } = await readDatasetConfig(dataset);
  const manifest = await planIndexFile({ index: { store: run, key: INDEX_KEY }, spec: shardSpecOf(config), out: { store: run, prefix: PLAN_PREFIX } });
  return {
    manifestKey: joinKey(PLAN_PREFIX, 'manifest.json'),
    runFingerprint: manifest.runFingerprint,
    strategy: manifest.strategyId,
    epochs: manifest.epochs.length,
  };
}
