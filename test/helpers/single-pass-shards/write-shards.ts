import { z } from 'zod';
/**
 * The single-pass shard writer megashard used before the two-phase shuffle (lib/run/shards/route-
 * and assemble-): every call read every tokens file its ranks drew from. Kept, unchanged, as the
 * reference the shuffle's shards and manifests must equal byte for byte.
 */
import { encodeShardFile, type DecodedPlanRank, type ShardMeta } from '../../../lib/arrow/index.js';
import { InvalidInputError } from '../../../lib/core/errors.js';
import { SHARDS_PREFIX, shardFileKey, type ShardVariant } from '../../../lib/core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardsManifest } from '../../../lib/core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../../lib/io/object-store.js';
import { finishShards } from '../../../lib/run/shards/finish-shards.js';
import { finishShardEpoch } from './finish-shard-epoch.js';
import { gatherShardTokens } from './gather-shard-tokens.js';
import { readPlannedEpoch, readPlannedRank, type PlannedEpoch } from '../../../lib/run/plan/read-planned-rank.js';
import { loadShardRunInputs, type ShardRunInputs } from '../../../lib/run/shards/shard-run-inputs.js';
import { shardIndexRows } from './shard-index-rows.js';

/** Tokens held in memory at once by default (ids + labels: 8 bytes each, so about 2 GiB). */
export const DEFAULT_MAX_TOKENS_IN_MEMORY = 1 << 28;

/** One WriteShards task: which epoch and which ranks. */
export interface WriteShardRanksOptions {
  readonly epoch: number;
  /** Ranks [from, to) (default: every rank of the epoch). */
  readonly ranks?: readonly [number, number];
  /** Ranks are gathered in groups holding at most this many tokens (one rank may exceed it alone). */
  readonly maxTokensInMemory?: number;
  readonly onRank?: (rank: number) => void;
}

/** What a WriteShards task reports: small, it travels between pipeline states. */
export const writtenShardRanksSchema = z
  .object({
    epoch: z.number().int().min(0),
    ranks: z.tuple([z.number().int(), z.number().int()]).readonly(),
    /** Variants written for every rank: finishShardEpoch lists exactly these. */
    variants: z.array(z.enum(['tokens', 'index'])).readonly(),
    files: z.number().int().min(0),
  })
  .strict()
  .readonly();

/** What one WriteShards call wrote. */
export type WrittenShardRanks = z.infer<typeof writtenShardRanksSchema>;

/**
 * Write the shard files of ranks [from, to) of one epoch: for each rank the tokens variant (when
 * the run was tokenized) and the index-only variant, under `shards/`. Ranks are processed in groups
 * bounded by maxTokensInMemory; each group reads every tokens file it needs once.
 */
export async function writeShardRanks(inputs: ShardRunInputs, options: WriteShardRanksOptions): Promise<WrittenShardRanks> {
  const planned = await readPlannedEpoch(inputs.run, inputs.planRoot, options.epoch);
  const worldSize = planned.manifest.files.length;
  const [from, to] = options.ranks ?? [0, worldSize];
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from >= to || to > worldSize) {
    throw new InvalidInputError('ranks', `[${from}, ${to}) is not a non-empty range of the ${worldSize} ranks of epoch ${options.epoch}`);
  }
  const budget = options.maxTokensInMemory ?? DEFAULT_MAX_TOKENS_IN_MEMORY;
  let files = 0;
  let group: DecodedPlanRank[] = [];
  let groupTokens = 0;
  for (let rank = from; rank < to; rank++) {
    // Plan files are small; a group of ranks grows until its tokens would pass the budget.
    const plan = await readPlannedRank(inputs.run, planned, rank);
    const tokens = inputs.tokens ? countTokens(inputs.index, plan.sampleIds) : 0;
    if (group.length > 0 && groupTokens + tokens > budget) {
      files += await writeGroup(inputs, planned, rank - group.length, group, options.onRank);
      group = [];
      groupTokens = 0;
    }
    group.push(plan);
    groupTokens += tokens;
  }
  files += await writeGroup(inputs, planned, to - group.length, group, options.onRank);
  return { epoch: options.epoch, ranks: [from, to], variants: inputs.variants, files };
}

/** input_ids of the given samples: text tokens plus one sentinel per image. */
function countTokens(index: ShardRunInputs['index'], ids: Int32Array): number {
  let sum = 0;
  for (const id of ids) sum += index.textTokens[id]! + index.numImages[id]!;
  return sum;
}

async function writeGroup(
  inputs: ShardRunInputs,
  planned: PlannedEpoch,
  firstRank: number,
  group: readonly DecodedPlanRank[],
  onRank?: (rank: number) => void,
): Promise<number> {
  const { run, index } = inputs;
  const tokens = inputs.tokens
    ? await gatherShardTokens(
        run,
        index,
        inputs.tokens,
        group.map((plan) => plan.sampleIds),
      )
    : undefined;
  let files = 0;
  for (let g = 0; g < group.length; g++) {
    const rank = firstRank + g;
    const plan = group[g]!;
    const rows = shardIndexRows(plan, index, `${run.location}/plan rank ${rank} of epoch ${planned.manifest.epoch}`);
    const meta = shardMeta(inputs, plan);
    if (tokens) {
      await run.put(joinKey(SHARDS_PREFIX, shardFileKey(meta.epoch, rank, 'tokens')), encodeShardFile({ ...rows, tokens: tokens[g]! }, meta));
      files++;
    }
    await run.put(joinKey(SHARDS_PREFIX, shardFileKey(meta.epoch, rank, 'index')), encodeShardFile(rows, meta));
    files++;
    onRank?.(rank);
  }
  return files;
}

function shardMeta(inputs: ShardRunInputs, plan: DecodedPlanRank): ShardMeta {
  const { metadata } = plan;
  return {
    planFingerprint: inputs.planRoot.runFingerprint,
    indexFingerprint: inputs.planRoot.indexFingerprint,
    tokenizerFingerprint: inputs.tokens?.tokenizerFingerprint ?? '',
    strategyId: metadata.strategyId,
    epoch: metadata.epoch,
    rank: metadata.rank,
    worldSize: metadata.worldSize,
    microBatchSize: metadata.microBatchSize,
    gradientAccumulation: metadata.gradientAccumulation,
    firstStep: metadata.firstStep,
  };
}

/** Options of the local run. */
export interface WriteRunShardsLocallyOptions {
  readonly maxTokensInMemory?: number;
  readonly onEpoch?: (manifest: ShardEpochManifest) => void;
}

/**
 * Write the shards of every planned epoch of a run, each epoch's manifest after its files, and
 * `shards/manifest.json` last: the local twin of the pipeline's WriteShards → FinishShardEpoch →
 * FinishShards.
 */
export async function writeRunShardsLocally(run: ObjectStore, options: WriteRunShardsLocallyOptions = {}): Promise<ShardsManifest> {
  const inputs = await loadShardRunInputs(run);
  for (const { epoch } of inputs.planRoot.epochs) {
    const written = await writeShardRanks(inputs, { epoch, ...(options.maxTokensInMemory ? { maxTokensInMemory: options.maxTokensInMemory } : {}) });
    const { manifest } = await finishShardEpoch(run, epoch, written.variants);
    options.onEpoch?.(manifest);
  }
  return finishShards(run);
}
