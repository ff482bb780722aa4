/**
 * A source's identity without one call reading all of it. A source is cut into blocks of
 * `blockBytes` (the dataset's `tuning.hashBytesPerCall`); each block's SHA-256 is computed by its
 * own call (the HashSources fan-out), and the identity combines them:
 *
 * - a source of one block keeps the identity runs always had: `{path, bytes, sha256}`, the SHA-256
 *   of its bytes — so every dataset whose sources fit one block keeps its run id;
 * - a larger source is `{path, bytes, blockBytes, blocksSha256}`: the SHA-256 of the canonical JSON
 *   of its block size and block digests in order (a hash list). Another field name, so it can never
 *   be mistaken for a whole-file digest.
 *
 * Nothing here depends on where the bytes sit: a folder and an S3 copy give the same identity.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { canonicalJson, sha256Hex } from '../fingerprint.js';
import { jsonArrayBlockSummarySchema } from '../corpus/json-array-block-summary.js';

/** Versions the hash-list definition: a change is a new format, never a silent change. */
const HASH_LIST_FORMAT = 'megashard-source-blocks/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);

/**
 * One block to hash: source `source` (config order), bytes [start, end). `arrayChunkBytes`: the
 * source is a JSON array; summarise the block for the chunk grid of this many bytes as well (null:
 * not one; PlanSourceHashes always writes the field, since the map's ItemSelector names it).
 */
export const sourceBlockSchema = z
  .object({ source: count, path: z.string().min(1), block: count, start: count, end: count, arrayChunkBytes: z.number().int().min(1).nullable().optional() })
  .strict();
/** A hashed block, as its HashSources call records it (with the chunk planner's summary when asked for one). */
export const hashedBlockSchema = sourceBlockSchema.extend({ sha256, arraySummary: jsonArrayBlockSummarySchema.optional() }).strict();

export type SourceBlock = z.infer<typeof sourceBlockSchema>;
export type HashedBlock = z.infer<typeof hashedBlockSchema>;

/** A source's identity in the run fingerprint. */
export type SourceIdentity =
  | { readonly path: string; readonly bytes: number; readonly sha256: string }
  | { readonly path: string; readonly bytes: number; readonly blockBytes: number; readonly blocksSha256: string };

/** Every source's blocks, sources in config order, blocks in byte order (an empty source is one empty block). */
export function planSourceBlocks(sources: ReadonlyArray<{ readonly path: string; readonly bytes: number }>, blockBytes: number): SourceBlock[] {
  if (!Number.isSafeInteger(blockBytes) || blockBytes < 1) throw new InvalidInputError('tuning.hashBytesPerCall', `is ${blockBytes}; must be an integer ≥ 1`);
  const blocks: SourceBlock[] = [];
  sources.forEach(({ path, bytes }, source) => {
    const count = Math.max(1, Math.ceil(bytes / blockBytes));
    for (let block = 0; block < count; block++) blocks.push({ source, path, block, start: block * blockBytes, end: Math.min(bytes, (block + 1) * blockBytes) });
  });
  return blocks;
}

/**
 * Each source's identity from its hashed blocks, which must be exactly the planned ones (any
 * order): a missing, extra or misplaced block is an error, never a different run id.
 */
export function sourceIdentities(
  sources: ReadonlyArray<{ readonly path: string; readonly bytes: number }>,
  blockBytes: number,
  hashed: readonly HashedBlock[],
): SourceIdentity[] {
  const planned = planSourceBlocks(sources, blockBytes);
  const byPlace = new Map(hashed.map((block) => [`${block.source}/${block.block}`, block]));
  if (byPlace.size !== hashed.length || hashed.length !== planned.length) {
    throw new InvalidInputError('sourceBlocks', `${hashed.length} hashed blocks for ${planned.length} planned: rerun HashSources`);
  }
  const digests = planned.map((block) => {
    const done = byPlace.get(`${block.source}/${block.block}`);
    if (done === undefined || done.path !== block.path || done.start !== block.start || done.end !== block.end) {
      throw new InvalidInputError(
        'sourceBlocks',
        `block ${block.block} of ${block.path} ([${block.start}, ${block.end})) was not hashed as planned: rerun HashSources`,
      );
    }
    return done.sha256;
  });
  let next = 0;
  return sources.map(({ path, bytes }) => {
    const count = Math.max(1, Math.ceil(bytes / blockBytes));
    const mine = digests.slice(next, next + count);
    next += count;
    if (count === 1) return { path, bytes, sha256: mine[0]! };
    return { path, bytes, blockBytes, blocksSha256: sha256Hex(canonicalJson({ format: HASH_LIST_FORMAT, blockBytes, blocks: mine })) };
  });
}
