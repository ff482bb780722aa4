import { z } from 'zod';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import { joinKey } from '../../io/object-store.js';
import type { StoreRoot } from '../../io/store-root.js';
import { finishShardEpoch, finishShards } from '../shards/finish-shards.js';
import { readPlanRoot } from '../plan/read-planned-rank.js';
import { shardVariantsOf } from '../shards/shard-run-inputs.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What FinishShards returns: the shards' root manifest (bucket key) and counts. */
export const finishShardsResultSchema = z.object({ manifestKey: z.string(), epochs: z.number().int().min(0), files: z.number().int().min(0) }).strict();

/**
 * FinishShards: every epoch's manifest from the files the WriteShards calls wrote (sizes, sha256,
 * footer metadata checked against the plan), then `shards/manifest.json` last (once per run).
 */
export function createFinishShardsHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof finishShardsResultSchema>> => {
    const { runPrefix } = parseEvent(runRefSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), 'finish-shards', finishShardsResultSchema, async (run) => {
      const variants = await shardVariantsOf(run);
      let files = 0;
      for (const { epoch } of (await readPlanRoot(run)).epochs) files += (await finishShardEpoch(run, epoch, variants)).manifest.files.length;
      const shards = await finishShards(run);
      return { manifestKey: joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY), epochs: shards.epochs.length, files };
    });
    return { ...result, manifestKey: bucketKey(runPrefix, result.manifestKey) };
  };
}
