import { INDEX_KEY, SHARD_WORK_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
/**
 * The WriteShards map's items: `shard-work.json`, a JSON array of {epoch, ranks: [from, to)} — the
 * shape a Distributed Map ItemReader reads — sized from the plan's per-rank entry counts and the
 * index's mean tokens per sample.
 */
import { decodeLengthIndex } from '../../arrow/index.js';
import { planShardWork, type ShardWorkItem } from '../../core/shards/shard-work.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readPlannedEpoch, readPlanRoot } from '../plan/read-planned-rank.js';


/**
 * Tokens one WriteShards call holds (ids + labels, 8 bytes a token: 256 MiB), which is also its
 * `maxTokensInMemory`, so a call reads each tokens file it needs once. Fits the function's
 * 3,008 MB with the tokens file being read and the Arrow encoding; locally, one per worker.
 */
export const WRITE_SHARDS_TOKENS_PER_CALL = 1 << 25;

/** At most this many ranks per call: 1,024 ranks spread over at least 16 calls per epoch. */
export const WRITE_SHARDS_MAX_RANKS_PER_CALL = 64;

/** What listing reports: where the items are and how many. */
export const listedShardWorkSchema = z.object({ shardWorkKey: z.string(), items: z.number().int().min(0) }).strict().readonly();

/** Where the items are and how many. */
export type ListedShardWork = z.infer<typeof listedShardWorkSchema>;

/** Write the run's WriteShards items (every planned epoch) and report their key and count. */
export async function listShardWork(run: ObjectStore): Promise<ListedShardWork> {
  const root = await readPlanRoot(run);
  const { index } = decodeLengthIndex(await run.get(INDEX_KEY), `${run.location}/${INDEX_KEY}`);
  let tokens = 0;
  for (let id = 0; id < index.sampleCount; id++) tokens += index.textTokens[id]! + index.numImages[id]!;
  const epochs = [];
  for (const { epoch } of root.epochs) {
    const planned = await readPlannedEpoch(run, root, epoch);
    const entriesPerRank = new Float64Array(planned.manifest.files.length);
    for (const file of planned.manifest.files) entriesPerRank[file.rank] = file.entries;
    epochs.push({ epoch, entriesPerRank });
  }
  const items: ShardWorkItem[] = planShardWork(epochs, {
    tokensPerEntry: index.sampleCount === 0 ? 0 : tokens / index.sampleCount,
    maxTokensPerItem: WRITE_SHARDS_TOKENS_PER_CALL,
    maxRanksPerItem: WRITE_SHARDS_MAX_RANKS_PER_CALL,
  });
  await run.put(SHARD_WORK_KEY, JSON.stringify(items));
  return { shardWorkKey: SHARD_WORK_KEY, items: items.length };
}
