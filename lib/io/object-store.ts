import { ObjectNotFoundError, StorageError } from '../core/errors.js';

/**
 * The storage port: everything megashard reads or writes goes through it, so use-cases never know
 * whether they run against a folder or a bucket. Objects are written whole (readers never see a
 * partial object) and keys are '/'-separated relative paths.
 */
export interface ObjectStore {
  /** Where this store points, for messages (`/data/run`, `s3://bucket/prefix`). */
  readonly location: string;
  /** The object's bytes; ObjectNotFoundError if absent. */
  get(key: string): Promise<Uint8Array>;
  /**
   * Bytes [start, endExclusive) of the object, fewer when it ends first (none at or past its end):
   * headers (image sizes) are read without fetching whole objects. ObjectNotFoundError if absent.
   */
  getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array>;
  /**
   * Optional: bytes [start, endExclusive) as a stream of chunks, in order, in one request — for
   * large sequential reads (pulling a shard) where buffering each range whole would cost a copy
   * and a round trip per range. Same contract as getRange otherwise. Callers fall back to getRange.
   */
  streamRange?(key: string, start: number, endExclusive: number): AsyncIterable<Uint8Array>;
  /** Write an object whole (atomically: readers see the old object or the new one). */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /**
   * Write an object only if the key holds none: true when this call created it, false when an
   * object was already there (left untouched). Of concurrent callers at most one gets true: the
   * run lock (S3 conditional write, exclusive file create). Every adapter has it; wrappers that
   * lack it cannot hold a lock (see putIfAbsentIn).
   */
  putIfAbsent?(key: string, body: Uint8Array | string): Promise<boolean>;
  /** Whether the object exists. */
  exists(key: string): Promise<boolean>;
  /** The object's size in bytes; ObjectNotFoundError if absent. */
  size(key: string): Promise<number>;
  /** Keys under a prefix, ascending. */
  list(prefix: string): Promise<string[]>;
  /**
   * Optional: names of the folders directly under `prefix` ('' or ending in '/'), ascending — one
   * level, without listing every object below (a dataset's images). Callers fall back to list().
   */
  listFolders?(prefix: string): Promise<string[]>;
  /**
   * Optional: delete objects (absent ones are not an error). Only intermediates are ever deleted
   * (a run's `work/` folder once its outputs are written); a store without it leaves them to the
   * bucket's lifecycle rule.
   */
  deleteAll?(keys: readonly string[]): Promise<void>;
  /**
   * Optional: keys under a prefix with their sizes, ascending — what one ListObjectsV2 page returns
   * anyway (an image table learns that every image exists and is not empty from the listing alone).
   */
  listSizes?(prefix: string): Promise<ListedObject[]>;
  /**
   * Optional: one bounded stretch of listSizes — at most `maxKeys` objects whose keys come after
   * `startAfter` (none: from the first), in UTF-8 byte order (S3's own: ListObjectsV2 StartAfter),
   * and whether more follow — so a folder of millions of images is listed by many calls, each
   * within a budget. Callers fall back to {@link listPageOf}.
   */
  listSizesPage?(prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage>;
}

/** One stretch of a listing, and whether the listing goes on after it. */
export interface ListedPage {
  readonly objects: ListedObject[];
  readonly more: boolean;
}

/** Characters where UTF-16 order and UTF-8 byte order disagree (surrogates and U+E000–U+FFFF). */
const BEYOND_BMP_ORDER = /[\uD800-\uFFFF]/;

/**
 * Items sorted by a key in UTF-8 byte order — the order S3 lists in (JavaScript's own string order
 * differs past U+FFFF) — each key encoded once, not once per comparison.
 */
export function sortByUtf8Key<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  // Without a surrogate or a character past them, UTF-16 order is UTF-8 byte order: compare as strings.
  if (!items.some((item) => BEYOND_BMP_ORDER.test(keyOf(item)))) return [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return items
    .map((item) => ({ item, bytes: Buffer.from(keyOf(item), 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ item }) => item);
}

/** Where a page after `startAfter` begins in keys sorted by UTF-8 bytes (binary search). */
export function firstAfter<T>(sorted: readonly T[], keyOf: (item: T) => string, startAfter: string | undefined): number {
  if (startAfter === undefined) return 0;
  const after = Buffer.from(startAfter, 'utf8');
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(Buffer.from(keyOf(sorted[middle]!), 'utf8'), after) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * At most `maxKeys` objects under `prefix` after `startAfter`, in UTF-8 byte order: the store's
 * own paged listing, or its whole listing cut to the page (local stores, whose listings are cheap).
 */
export async function listPageOf(store: ObjectStore, prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage> {
  if (store.listSizesPage !== undefined) return store.listSizesPage(prefix, startAfter, maxKeys);
  const listed = sortByUtf8Key(await listWithSizes(store, prefix), (object) => object.key);
  const from = firstAfter(listed, (object) => object.key, startAfter);
  return { objects: listed.slice(from, from + maxKeys), more: from + maxKeys < listed.length };
}

/** A key and its size, from a listing. */
export interface ListedObject {
  readonly key: string;
  readonly bytes: number;
}

/** Keys and sizes under `prefix`: the store's own listing, or a listing plus a size request per key. */
export async function listWithSizes(store: ObjectStore, prefix: string): Promise<ListedObject[]> {
  if (store.listSizes !== undefined) return store.listSizes(prefix);
  const keys = await store.list(prefix);
  const listed: ListedObject[] = [];
  for (const key of keys) listed.push({ key, bytes: await store.size(key) });
  return listed;
}

/**
 * The object's bytes, or undefined when there is none: one request either way, where asking
 * exists() first costs a HEAD on every call and a second request whenever the object is there
 * (a step record checked by every task call of a run).
 */
export async function getIfPresent(store: ObjectStore, key: string): Promise<Uint8Array | undefined> {
  try {
    return await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

/** A key joined from parts with single slashes. */
export function joinKey(...parts: readonly string[]): string {
  return parts
    .filter((part) => part !== '')
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .join('/');
}

/** Reject ranges no store could serve; callers pass computed offsets, so this guards against bugs. */
export function checkByteRange(start: number, endExclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endExclusive) || start < 0 || endExclusive < start) {
    throw new RangeError(`byte range [${start}, ${endExclusive}) must be integers with 0 ≤ start ≤ end`);
  }
}

/** Folders directly under `prefix` from a full listing: the fallback for stores without listFolders. */
export async function listFoldersByKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const folders = new Set<string>();
  for (const key of await store.list(prefix)) {
    const slash = key.indexOf('/', prefix.length);
    if (slash > prefix.length) folders.add(key.slice(prefix.length, slash));
  }
  return [...folders].sort();
}

/** Folders directly under `prefix`, one level, by the store's own listing when it has one. */
export function listFoldersOf(store: ObjectStore, prefix: string): Promise<string[]> {
  return store.listFolders ? store.listFolders(prefix) : listFoldersByKeys(store, prefix);
}

/** Delete every object under `prefix` when the store can delete; returns how many were deleted. */
export async function deleteUnder(store: ObjectStore, prefix: string): Promise<number> {
  if (store.deleteAll === undefined) return 0;
  const keys = await store.list(prefix);
  if (keys.length > 0) await store.deleteAll(keys);
  return keys.length;
}

/** A conditional create through a store that must support it (a run lock); StorageFailed naming the store otherwise. */
export function putIfAbsentIn(store: ObjectStore, key: string, body: Uint8Array | string): Promise<boolean> {
  if (store.putIfAbsent === undefined) {
    return Promise.reject(
      new StorageError(store.location, 'this store cannot write conditionally (putIfAbsent), so it cannot hold a run lock; use a folder or an s3:// location'),
    );
  }
  return store.putIfAbsent(key, body);
}
