/**
 * The HashSources fan-out's use-cases: plan the blocks of every source (PlanSourceHashes), hash
 * one block and record it (HashSources, one call per block), and combine the recorded blocks into
 * each source's identity (Prepare). Without a fan-out (tests, a direct call) Prepare hashes the
 * blocks itself, one after the other: the identity is the same either way.
 */
import { z } from 'zod';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import {
  hashedBlockSchema,
  planSourceBlocks,
  sourceBlockSchema,
  sourceIdentities,
  type HashedBlock,
  type SourceBlock,
  type SourceIdentity,
} from '../../core/dataset/source-blocks.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { resolveTuning } from '../../core/dataset/tuning.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';
import { hashObjectRange } from '../hash-object.js';

/** The HashSources map's items, relative to the staging folder. */
export const SOURCE_BLOCKS_KEY = 'source-blocks.json';

/** Where block `block` of source `source` records its digest, relative to the staging folder. */
export function hashedBlockKey(block: Pick<SourceBlock, 'source' | 'block'>): string {
  return `hashed/source-${String(block.source).padStart(4, '0')}-block-${String(block.block).padStart(6, '0')}.json`;
}

/** What PlanSourceHashes reports. */
export const plannedSourceHashesSchema = z.object({ blocksKey: z.string(), blocks: z.number().int().min(0), bytes: z.number().int().min(0) }).strict();
export type PlannedSourceHashes = z.infer<typeof plannedSourceHashesSchema>;

/** Sizes of the config's sources, in config order (one HEAD each). */
export async function sourceSizes(dataset: ObjectStore, config: DatasetConfig): Promise<{ path: string; bytes: number }[]> {
  return mapWithConcurrency(config.sources.length, DEFAULT_REQUESTS_IN_FLIGHT, async (i) => ({
    path: config.sources[i]!.path,
    bytes: await dataset.size(config.sources[i]!.path),
  }));
}

/** Write the blocks to hash into the staging folder. */
export async function planSourceHashes(dataset: ObjectStore, config: DatasetConfig, stage: ObjectStore): Promise<PlannedSourceHashes> {
  const sizes = await sourceSizes(dataset, config);
  const blocks = planSourceBlocks(sizes, resolveTuning(config.tuning).hashBytesPerCall);
  await stage.put(SOURCE_BLOCKS_KEY, JSON.stringify(blocks));
  return { blocksKey: SOURCE_BLOCKS_KEY, blocks: blocks.length, bytes: sizes.reduce((sum, s) => sum + s.bytes, 0) };
}

/** Hash one block and record it in the staging folder. */
export async function hashSourceBlock(dataset: ObjectStore, block: SourceBlock, stage: ObjectStore): Promise<HashedBlock> {
  const hashed: HashedBlock = { ...sourceBlockSchema.parse(block), sha256: await hashObjectRange(dataset, block.path, block.start, block.end) };
  await stage.put(hashedBlockKey(block), JSON.stringify(hashed));
  return hashed;
}

/**
 * Every source's identity: from the blocks the fan-out recorded in `stage`, or — without one —
 * hashed here block by block. Sizes are read again: a source that changed size since its blocks
 * were planned no longer matches them and fails rather than naming a run after other bytes.
 */
export async function identifySources(dataset: ObjectStore, config: DatasetConfig, stage?: ObjectStore): Promise<SourceIdentity[]> {
  const sizes = await sourceSizes(dataset, config);
  const blockBytes = resolveTuning(config.tuning).hashBytesPerCall;
  const planned = planSourceBlocks(sizes, blockBytes);
  const hashed = await mapWithConcurrency(planned.length, stage === undefined ? 1 : DEFAULT_REQUESTS_IN_FLIGHT, async (i) => {
    const block = planned[i]!;
    if (stage === undefined) return { ...block, sha256: await hashObjectRange(dataset, block.path, block.start, block.end) };
    const key = hashedBlockKey(block);
    return parseJsonArtifact(await stage.get(key), hashedBlockSchema, `${stage.location}/${key}`);
  });
  return sourceIdentities(sizes, blockBytes, hashed);
}
