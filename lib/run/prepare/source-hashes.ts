/**
 * The HashSources fan-out's use-cases: plan the blocks of every source (PlanSourceHashes), hash
 * one block and record it (HashSources, one call per block; a JSON-array block is also summarised
 * for the chunk planner), and combine the recorded blocks into each source's identity (Prepare). Without a fan-out (tests, a direct call) Prepare hashes the
 * blocks itself, one after the other: the identity is the same either way.
 */
import { createHash } from 'node:crypto';
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
import { hashObjectRange, readObjectRange } from '../hash-object.js';
import { JsonArrayBlockSummarizer } from '../../core/corpus/json-array-block-speculation.js';
import { formatOfHead, readSourceHeads, type SourceHead } from './detect-source.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Container } from '../../core/corpus/json-array-scanner.js';

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

/**
 * Write the blocks to hash into the staging folder. The blocks of a JSON-array source also ask for
 * a chunk-planner summary (`arrayChunkBytes`), so Prepare plans its chunks without scanning it.
 */
export async function planSourceHashes(
  dataset: ObjectStore,
  config: DatasetConfig,
  stage: ObjectStore,
  heads?: readonly SourceHead[],
): Promise<PlannedSourceHashes> {
  const read = heads ?? (await readSourceHeads(dataset, config));
  const sizes = read.map(({ path, bytes }) => ({ path, bytes }));
  const containers = read.map(containerOf);
  const blocks = planSourceBlocks(sizes, resolveTuning(config.tuning).hashBytesPerCall).map((block) => ({
    ...block,
    arrayChunkBytes: containers[block.source] === 'json-array' ? config.chunkBytes : null,
  }));
  await stage.put(SOURCE_BLOCKS_KEY, JSON.stringify(blocks));
  return { blocksKey: SOURCE_BLOCKS_KEY, blocks: blocks.length, bytes: sizes.reduce((sum, s) => sum + s.bytes, 0) };
}

/** A source's container, or undefined when its head is not one: Prepare reports that, naming the source. */
function containerOf(head: SourceHead): Container | undefined {
  try {
    return formatOfHead(head).container;
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined;
    throw error;
  }
}

/** Hash one block and record it in the staging folder; summarise it too when asked, in the same pass over its bytes. */
export async function hashSourceBlock(dataset: ObjectStore, block: SourceBlock, stage: ObjectStore): Promise<HashedBlock> {
  const planned = sourceBlockSchema.parse(block);
  const hash = createHash('sha256');
  const summarizer =
    planned.arrayChunkBytes === undefined || planned.arrayChunkBytes === null
      ? undefined
      : new JsonArrayBlockSummarizer({ sourceName: planned.path, blockStart: planned.start, blockEnd: planned.end, bytesPerChunk: planned.arrayChunkBytes });
  await readObjectRange(dataset, planned.path, planned.start, planned.end, (bytes) => {
    hash.update(bytes);
    summarizer?.push(bytes);
  });
  const hashed: HashedBlock = { ...planned, sha256: hash.digest('hex'), ...(summarizer === undefined ? {} : { arraySummary: summarizer.summary() }) };
  await stage.put(hashedBlockKey(block), JSON.stringify(hashed));
  return hashed;
}

/** Every source's size, the block size, and its hashed blocks (see identifySources). */
export interface ReadSourceBlocks {
  readonly sizes: { path: string; bytes: number }[];
  readonly blockBytes: number;
  readonly blocks: HashedBlock[];
}

/**
 * Every source's hashed blocks: the records the fan-out left in `stage`, or — without one — hashed
 * here block by block (no summaries: Prepare then scans JSON arrays whole).
 */
export async function readHashedBlocks(
  dataset: ObjectStore,
  config: DatasetConfig,
  stage?: ObjectStore,
  heads?: readonly SourceHead[],
): Promise<ReadSourceBlocks> {
  const sizes = heads === undefined ? await sourceSizes(dataset, config) : heads.map(({ path, bytes }) => ({ path, bytes }));
  const blockBytes = resolveTuning(config.tuning).hashBytesPerCall;
  const planned = planSourceBlocks(sizes, blockBytes);
  const blocks = await mapWithConcurrency(planned.length, stage === undefined ? 1 : DEFAULT_REQUESTS_IN_FLIGHT, async (i) => {
    const block = planned[i]!;
    if (stage === undefined) return { ...block, sha256: await hashObjectRange(dataset, block.path, block.start, block.end) };
    const key = hashedBlockKey(block);
    return parseJsonArtifact(await stage.get(key), hashedBlockSchema, `${stage.location}/${key}`);
  });
  return { sizes, blockBytes, blocks };
}

/**
 * Every source's identity: from the blocks the fan-out recorded in `stage`, or — without one —
 * hashed here block by block. Sizes are read again: a source that changed size since its blocks
 * were planned no longer matches them and fails rather than naming a run after other bytes.
 */
export async function identifySources(dataset: ObjectStore, config: DatasetConfig, stage?: ObjectStore): Promise<SourceIdentity[]> {
  const { sizes, blockBytes, blocks } = await readHashedBlocks(dataset, config, stage);
  return sourceIdentities(sizes, blockBytes, blocks);
}
