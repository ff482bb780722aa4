import { createHash } from 'node:crypto';
import { CorruptArtifactError } from '../core/errors.js';
import type { ObjectStore } from '../io/object-store.js';

/** Bytes per ranged read: large enough to amortize a request, small enough to bound memory. */
const BLOCK_BYTES = 8 * 1024 * 1024;

/** An object's size and content digest. */
export interface ObjectDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * SHA-256 of an object read in ranged reads of 8 MiB (never the whole object in memory), the next
 * read in flight while the current block is hashed. An object that ends early (changed while being
 * read) is CorruptArtifact, not a silently wrong digest.
 */
export async function hashObject(store: ObjectStore, key: string, knownBytes?: number): Promise<ObjectDigest> {
  const bytes = knownBytes ?? (await store.size(key));
  const hash = createHash('sha256');
  const read = (start: number) => store.getRange(key, start, Math.min(bytes, start + BLOCK_BYTES));
  let start = 0;
  let next = bytes > 0 ? read(0) : undefined;
  while (next !== undefined) {
    const block = await next;
    const expected = Math.min(bytes, start + BLOCK_BYTES) - start;
    if (block.length !== expected) {
      throw new CorruptArtifactError(`${store.location}/${key}`, `ended at byte ${start + block.length} of ${bytes} while being read; was it changed during the run?`);
    }
    start += block.length;
    next = start < bytes ? read(start) : undefined;
    hash.update(block);
  }
  return { bytes, sha256: hash.digest('hex') };
}
