import { joinKey, type ObjectStore } from '../../io/object-store.js';
import { INDEX_KEY } from '../tokenize/merge-run-index.js';
import { planIndexFile } from './plan-index-file.js';
import { readDatasetConfig } from '../prepare/read-dataset-config.js';

/** Folder of a run's plan, relative to the run's folder. */
export const PLAN_PREFIX = 'plan';

/** What PlanShards reports: the root manifest's key and the plan's identity, never the plan. */
export interface PlannedRun {
  readonly manifestKey: string;
  readonly runFingerprint: string;
  readonly strategy: string;
  readonly epochs: number;
}

/**
 * Plan every epoch of the dataset's shard spec (`dataset.json` → `shard`) over the run's merged
 * index, into `plan/` of the run's folder; the root manifest is written last.
 */
export async function planRun(dataset: ObjectStore, run: ObjectStore): Promise<PlannedRun> {
  const { config } = await readDatasetConfig(dataset);
  const manifest = await planIndexFile({ index: { store: run, key: INDEX_KEY }, spec: config.shard, out: { store: run, prefix: PLAN_PREFIX } });
  return {
    manifestKey: joinKey(PLAN_PREFIX, 'manifest.json'),
    runFingerprint: manifest.runFingerprint,
    strategy: manifest.strategyId,
    epochs: manifest.epochs.length,
  };
}
