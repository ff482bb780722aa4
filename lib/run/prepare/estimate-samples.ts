import { estimateRecords } from '../../core/corpus/estimate-records.js';
import { checkSampleCeiling } from '../../core/plan/sample-ceilings.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import type { ObjectStore } from '../../io/object-store.js';
import { formatOfHead, type SourceHead } from './detect-source.js';

/** Estimated records of the whole dataset, from each source's size and first bytes. */
export function estimateDatasetRecords(heads: readonly SourceHead[]): number {
  return heads.reduce((sum, head) => sum + estimateRecords(head.head, head.bytes, formatOfHead(head).container, head.path), 0);
}

/**
 * Refuse, before anything is hashed or written, a dataset whose estimated samples are above what
 * the single-call states (MergeIndex, PlanShards, the audit reduce) handle in a 10 GB Lambda.
 */
export function refuseOversizedDataset(dataset: ObjectStore, heads: readonly SourceHead[], shard: ResolvedShardSpec): void {
  checkSampleCeiling(estimateDatasetRecords(heads), shard.spec.epochs, `${dataset.location}/dataset.json`);
}
