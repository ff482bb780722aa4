import type { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { finishedShardsSchema, finishShardsFromSteps } from '../shards/finish-shards-from-steps.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, runRefSchema } from './events.js';
import { bucketKey } from './run-keys.js';

/** What FinishShards returns: the shards' root manifest (bucket key) and counts. */
export const finishShardsResultSchema = finishedShardsSchema;

/**
 * FinishShards: every epoch's manifest from what the Assemble calls recorded (sizes and sha256 of
 * the bytes they wrote, checked against the plan), `shards/manifest.json` last, then the routed
 * intermediates deleted (once per run). No shard file is read back.
 */
export function createFinishShardsHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof finishShardsResultSchema>> => {
    const { runPrefix } = parseEvent(runRefSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), 'finish-shards', finishShardsResultSchema, finishShardsFromSteps);
    return { ...result, manifestKey: bucketKey(runPrefix, result.manifestKey) };
  };
}
