/**
 * The sections of the shard fan-out: each epoch's ranks cut into consecutive ranges, each range one
 * Lambda call. A range grows while its estimated tokens stay within the budget a call holds in
 * memory (so a call gathers its ranks in one group, reading each tokens file once) and while it
 * has fewer than `maxRanksPerItem` ranks (so a 1,024-rank epoch spreads over many calls).
 */
import { InvalidInputError } from '../errors.js';

/** One section (an Assemble call): ranks [from, to) of one epoch. */
export interface ShardWorkItem {
  readonly epoch: number;
  readonly ranks: readonly [number, number];
}

/** Planned entries of each rank of one epoch (what the plan manifest lists). */
export interface EpochRankEntries {
  readonly epoch: number;
  readonly entriesPerRank: ArrayLike<number>;
}

/** Limits of one call. */
export interface ShardWorkLimits {
  /** Estimated input_ids per planned entry (the index's mean; balanced plans are near it per rank). */
  readonly tokensPerEntry: number;
  /** Tokens one call may hold (one rank alone may exceed it: it still gets a call of its own). */
  readonly maxTokensPerItem: number;
  readonly maxRanksPerItem: number;
}

/** Every epoch's rank ranges, epochs in the order given, ranks ascending: a pure function of counts. */
export function planShardWork(epochs: readonly EpochRankEntries[], limits: ShardWorkLimits): ShardWorkItem[] {
  const { tokensPerEntry, maxTokensPerItem, maxRanksPerItem } = limits;
  if (!(tokensPerEntry >= 0) || !(maxTokensPerItem > 0) || !Number.isInteger(maxRanksPerItem) || maxRanksPerItem < 1) {
    throw new InvalidInputError(
      'limits',
      `tokensPerEntry ${tokensPerEntry}, maxTokensPerItem ${maxTokensPerItem}, maxRanksPerItem ${maxRanksPerItem}: need ≥ 0, > 0 and an integer ≥ 1`,
    );
  }
  const items: ShardWorkItem[] = [];
  for (const { epoch, entriesPerRank } of epochs) {
    let from = 0;
    let tokens = 0;
    for (let rank = 0; rank < entriesPerRank.length; rank++) {
      const rankTokens = entriesPerRank[rank]! * tokensPerEntry;
      if (rank > from && (tokens + rankTokens > maxTokensPerItem || rank - from >= maxRanksPerItem)) {
        items.push({ epoch, ranks: [from, rank] });
        from = rank;
        tokens = 0;
      }
      tokens += rankTokens;
    }
    if (entriesPerRank.length > from) items.push({ epoch, ranks: [from, entriesPerRank.length] });
  }
  return items;
}
