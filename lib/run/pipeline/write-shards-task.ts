import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { WRITE_SHARDS_TOKENS_PER_CALL } from '../shards/list-shard-work.js';
import { loadShardRunInputs } from '../shards/shard-run-inputs.js';
import { runStepOnce } from '../step-record.js';
import { writeShardRanks, writtenShardRanksSchema } from '../shards/write-shards.js';
import { parseEvent, writeShardsEventSchema } from './events.js';

/** What one WriteShards call returns: which ranks of which epoch, and how many files. */
export const writeShardsResultSchema = z.object({ epoch: z.number().int().min(0), ranks: z.tuple([z.number().int(), z.number().int()]).readonly(), files: z.number().int().min(0) }).strict();

/** The step of one item: `write-shards/epoch-EEEE-ranks-AAAAA-BBBBB`. */
function stepName(epoch: number, [from, to]: readonly [number, number]): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `write-shards/epoch-${pad(epoch, 4)}-ranks-${pad(from, 5)}-${pad(to, 5)}`;
}

/**
 * WriteShards: one Distributed Map item, the shard files of ranks [from, to) of one epoch, under
 * keys derived from the ranks (so the bytes never depend on which call or worker wrote them).
 */
export function createWriteShardsHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof writeShardsResultSchema>> => {
    const { runPrefix, epoch, ranks } = parseEvent(writeShardsEventSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), stepName(epoch, ranks), writtenShardRanksSchema, async (run) =>
      writeShardRanks(await loadShardRunInputs(run), { epoch, ranks, maxTokensInMemory: WRITE_SHARDS_TOKENS_PER_CALL }),
    );
    return { epoch: result.epoch, ranks: result.ranks, files: result.files };
  };
}
