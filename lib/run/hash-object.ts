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
  return { bytes, sha256: await hashObjectRange(store, key, 0, bytes) };
}

/** SHA-256 of bytes [from, to) of an object, read as hashObject reads (one source block of HashSources). */
export async function hashObjectRange(store: ObjectStore, key: string, from: number, to: number): Promise<string> {
  const hash = createHash('sha256');
  await readObjectRange(store, key, from, to, (bytes) => hash.update(bytes));
  return hash.digest('hex');
}

/**
 * Bytes [from, to) of an object in ranged reads of 8 MiB, in order, each handed to `consume` while
 * the next is in flight: one pass that every consumer of a block (its hash, its summary) shares.
 * An object that ends early (changed while being read) is CorruptArtifact.
 */
export async function readObjectRange(store: ObjectStore, key: string, from: number, to: number, consume: (bytes: Uint8Array) => void): Promise<void> {
  const read = (start: number) => store.getRange(key, start, Math.min(to, start + BLOCK_BYTES));
  let start = from;
  let next = to > from ? read(from) : undefined;
  while (next !== undefined) {
    const block = await next;
    const expected = Math.min(to, start + BLOCK_BYTES) - start;
    if (block.length !== expected) {
      throw new CorruptArtifactError(
        `${store.location}/${key}`,
        `ended at byte ${start + block.length} of ${to} while being read; was it changed during the run?`,
      );
    }
    start += block.length;
    next = start < to ? read(start) : undefined;
    consume(block);
  }
}
