import { FindingList } from './finding.js';
import { stepOfRow, type EpochShards, type RankShardColumns } from './rank-shard-columns.js';

/** The length index's columns a shard row repeats, indexed by sample id. */
export interface IndexColumns {
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
  /** The signed lengths the plan grouped by (its length column); compared by magnitude. */
  readonly planLengths: Int32Array;
  /** Images per sample (packed runs: the image-cap check); omitted → that check is skipped. */
  readonly numImages?: ArrayLike<number>;
  /** The source column, to recompute a mixed epoch's draw; omitted → mixed epochs cannot be checked per source. */
  readonly sources?: { readonly sourceIndex: Int32Array; readonly sourceNames: readonly string[] };
}

/**
 * Every row's per-sample columns equal the index's for its sample id: a shard whose lengths or
 * token counts were edited would mislead every measure the audit derives from it. Rows with an
 * unknown id are skipped (the coverage check reports them).
 */
export function checkIndexAgreement(shards: EpochShards, index: IndexColumns): FindingList {
  const findings = new FindingList();
  const n = index.totalTokens.length;
  // Plain column lookups: packing the four values per sample (one cache line per row) measured
  // twice as slow at 10M rows, the packing pass costing more than the misses it saves.
  shards.ranks.forEach((columns, rank) => {
    if (columns === null) return;
    const { sampleIds, totalTokens, trainableTokens, modality, lengths } = columns;
    for (let p = 0; p < sampleIds.length; p++) {
      const id = sampleIds[p]!;
      if (id < 0 || id >= n) continue;
      const agrees =
        totalTokens[p] === index.totalTokens[id] &&
        trainableTokens[p] === index.trainableTokens[id] &&
        modality[p] === index.modality[id] &&
        Math.abs(lengths[p]!) === Math.abs(index.planLengths[id]!);
      if (!agrees) findings.add(shards.epoch, rank, stepOfRow(columns, p), describeDisagreement(id, index, columns, p));
    }
  });
  return findings;
}

function describeDisagreement(id: number, index: IndexColumns, columns: RankShardColumns, p: number): string {
  const pairs: [string, number, number][] = [
    ['total_tokens', columns.totalTokens[p]!, index.totalTokens[id]!],
    ['trainable_tokens', columns.trainableTokens[p]!, index.trainableTokens[id]!],
    ['modality', columns.modality[p]!, index.modality[id]!],
    ['|length|', Math.abs(columns.lengths[p]!), Math.abs(index.planLengths[id]!)],
  ];
  const differences = pairs.filter(([, shard, indexed]) => shard !== indexed).map(([name, shard, indexed]) => `${name} ${shard} (index: ${indexed})`);
  return `sample ${id}: ${differences.join(', ')}`;
}
