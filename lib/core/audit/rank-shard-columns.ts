import type { EpochMixture } from '../mixture/epoch-mixture.js';
import type { FindingList } from './finding.js';
import type { PlannedRankColumns } from './planned-rank-columns.js';

/**
 * What the audit reads: every rank's shard of an epoch as columns (typed arrays, no per-row
 * objects), exactly as the shard reader gives them, plus what the file says about itself. The
 * audit never sees the planner's in-memory plan: every figure is re-derived from these columns.
 */

/** What a shard file's metadata claims; checked against where the file sits in the run. */
export interface ShardFileFacts {
  readonly epoch: number;
  readonly rank: number;
  readonly worldSize: number;
  readonly microBatchSize: number;
  /** Step of the first record batch (0 unless the plan resumed mid-epoch). */
  readonly firstStep: number;
}

/** One rank's shard of one epoch, as columns. Row p is at step `firstStep + k` where stepStarts[k] ≤ p < stepStarts[k+1]. */
export interface RankShardColumns {
  readonly facts: ShardFileFacts;
  /** Row offsets of the record batches (= micro-steps): steps + 1 entries, starting at 0. */
  readonly stepStarts: Int32Array;
  /** Rows of the length index. */
  readonly sampleIds: Int32Array;
  /** Signed length the plan used (negative = text-only). */
  readonly lengths: Int32Array;
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
  /** 1 where the entry is declared padding (a repeat of a sample already in the epoch), else 0. */
  readonly isPadding: Uint8Array;
  /** Packed shards only: packs + 1 row offsets (from the `pack` column); every step start is a pack start. */
  readonly packStarts?: Int32Array;
}

/** What the plan declares for an epoch (plan/epoch-NNNN/manifest.json), to check the shards against. */
export interface EpochDeclarations {
  /** Samples the remainder policy left out of the epoch, ascending. */
  readonly droppedIds: Int32Array;
  /** Entries flagged as padding, or null when no plan manifest says. */
  readonly paddingEntries: number | null;
  /** A mixed epoch: the manifest's mixture block and the run seed, to recompute what each sample is owed. */
  readonly mixture?: { readonly block: EpochMixture; readonly seed: bigint };
}

/** Every rank's shard of one epoch. `ranks[r]` is the file found at rank r's place, null when it is missing. */
export interface EpochShards {
  readonly epoch: number;
  readonly ranks: readonly (RankShardColumns | null)[];
  readonly declared: EpochDeclarations;
  /** Each rank's plan file, to prove the shards are the planned epoch; omitted → that check is skipped. */
  readonly planned?: readonly (PlannedRankColumns | null)[];
  /** `matches-plan` already checked where the plan files were read (audit partials); wins over `planned`. */
  readonly planAgreement?: FindingList;
  /** Packed runs: `pack-positions` and `boundary-labels`, checked where the token bytes were read (audit partials). */
  readonly packedTokens?: { readonly positions: FindingList; readonly labels: FindingList };
}

/** Steps in a rank's shard. */
export function stepCountOf(columns: RankShardColumns): number {
  return columns.stepStarts.length - 1;
}

/**
 * The step of row `row` in a rank's shard (binary search over the record-batch offsets; used only
 * to name where a failure is, never per row on the hot path).
 */
export function stepOfRow(columns: RankShardColumns, row: number): number {
  const starts = columns.stepStarts;
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= row) low = middle;
    else high = middle - 1;
  }
  return columns.facts.firstStep + low;
}
