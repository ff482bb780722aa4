import { estimateRecords } from '../../core/corpus/estimate-records.js';
import { detectSourceFormat } from '../../core/corpus/source-format.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { checkSampleCeiling } from '../../core/plan/sample-ceilings.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Bytes read from the start of each source: the head format detection reads too. */
const HEAD_BYTES = 256 * 1024;

/** Estimated records of the whole dataset: one small ranged read and one HEAD per source. */
export async function estimateDatasetRecords(dataset: ObjectStore, config: DatasetConfig): Promise<number> {
  const counts = await mapWithConcurrency(config.sources.length, DEFAULT_REQUESTS_IN_FLIGHT, async (i) => {
    const source = config.sources[i]!;
    const size = await dataset.size(source.path);
    const head = await dataset.getRange(source.path, 0, Math.min(size, HEAD_BYTES));
    const format = detectSourceFormat(head, source.path, size, source.format === 'auto' ? {} : { shape: source.format });
    return estimateRecords(head, size, format.container, source.path);
  });
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * Refuse, before anything is hashed or written, a dataset whose estimated samples are above what
 * the single-call states (MergeIndex, PlanShards, the audit reduce) handle in a 10 GB Lambda.
 */
export async function refuseOversizedDataset(dataset: ObjectStore, config: DatasetConfig, shard: ResolvedShardSpec): Promise<void> {
  const epochs = shard.spec.epochs;
  checkSampleCeiling(await estimateDatasetRecords(dataset, config), epochs, `${dataset.location}/dataset.json`);
}
