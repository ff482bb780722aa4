import type { z } from 'zod';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX } from '../../core/shards/shard-layout.js';
import { joinKey } from '../../io/object-store.js';
import type { StoreRoot } from '../../io/store-root.js';
import { routedTokensFileSchema, routeTokensFile } from '../shards/route-tokens-file.js';
import { routeStepName } from '../shards/shard-steps.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, routeEventSchema } from './events.js';

/** What one Route call returns: its tokens file, the routed object written and its size. */
export const routeResultSchema = routedTokensFileSchema;

/**
 * Route: one Distributed Map item, a tokens file read once and written as one routed object
 * (its rows for every section, in destination order). Once the shards are finished the routed
 * objects are deleted, so a resumed execution then takes the recorded result as it stands.
 */
export function createRouteHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof routeResultSchema>> => {
    const { runPrefix, datasetPrefix: _dataset, ...item } = parseEvent(routeEventSchema, event);
    const run = root.openUnder(runPrefix);
    const step = routeStepName(item.file);
    const shardsFinished = () => run.exists(joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY));
    return (await runStepOnce(run, step, routeResultSchema, (out) => routeTokensFile(out, item), { keepRecordWhenObjectsGone: shardsFinished })).result;
  };
}
