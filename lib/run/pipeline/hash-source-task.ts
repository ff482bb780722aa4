import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { hashSourceBlock } from '../prepare/source-hashes.js';
import { hashSourceEventSchema, parseEvent } from './events.js';

/** What one HashSource call returns: which block it hashed. */
export const hashSourceResultSchema = z.object({ source: z.number().int().min(0), block: z.number().int().min(0), bytes: z.number().int().min(0) }).strict();

/** HashSource: one Distributed Map item, one block of one source hashed, its digest recorded for Prepare. */
export function createHashSourceHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof hashSourceResultSchema>> => {
    const { datasetPrefix, stagePrefix, ...block } = parseEvent(hashSourceEventSchema, event);
    await hashSourceBlock(root.openUnder(datasetPrefix), block, root.openUnder(stagePrefix));
    return { source: block.source, block: block.block, bytes: block.end - block.start };
  };
}
