import { z } from 'zod';
import type { StoreRoot } from '../../io/store-root.js';
import { assembledSectionSchema, assembleShardSection } from '../shards/assemble-shard-section.js';
import { assembleStepName } from '../shards/shard-steps.js';
import { runStepOnce } from '../step-record.js';
import { parseEvent, sectionEventSchema } from './events.js';

/** What one Assemble call returns (the full file list stays in its step record, for FinishShards). */
export const assembleResultSchema = z
  .object({ epoch: z.number().int().min(0), ranks: z.tuple([z.number().int(), z.number().int()]).readonly(), files: z.number().int().min(0) })
  .strict();

/**
 * Assemble: one Distributed Map item, a section's shard files from the routed objects, under keys
 * derived from the ranks. Every file's size and sha256 go into the step's record.
 */
export function createAssembleHandler(root: StoreRoot) {
  return async (event: unknown): Promise<z.output<typeof assembleResultSchema>> => {
    const { runPrefix, datasetPrefix: _dataset, ...section } = parseEvent(sectionEventSchema, event);
    const { result } = await runStepOnce(root.openUnder(runPrefix), assembleStepName(section.section), assembledSectionSchema, (run) =>
      assembleShardSection(run, section),
    );
    return { epoch: result.epoch, ranks: result.ranks, files: result.files.length };
  };
}
