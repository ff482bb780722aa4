/**
 * A store that counts the requests another store serves, as S3 would bill them — GET, ranged GET,
 * PUT, HEAD (exists, size), LIST (one per 1,000 keys returned, as ListObjectsV2 pages), DELETE
 * (one per 1,000 keys, as DeleteObjects) — and the bytes each way. Counts go to whatever tally the
 * caller says is current, so a benchmark can attribute every request to the task call making it.
 */
import { listFoldersOf, listPageOf, listWithSizes, putIfAbsentIn, type ListedObject, type ListedPage, type ObjectStore } from './object-store.js';

/** Requests and bytes, by kind. */
export interface RequestCounts {
  get: number;
  getRange: number;
  put: number;
  head: number;
  list: number;
  delete: number;
  bytesRead: number;
  bytesWritten: number;
}

/** Zero counts. */
export function emptyRequestCounts(): RequestCounts {
  return { get: 0, getRange: 0, put: 0, head: 0, list: 0, delete: 0, bytesRead: 0, bytesWritten: 0 };
}

/** Keys S3 returns per ListObjectsV2 page and deletes per DeleteObjects call. */
const KEYS_PER_REQUEST = 1000;

/** Delegates to `inner`, adding each request to `tally()` (the current call's counts). */
export class CountingObjectStore implements ObjectStore {
  readonly location: string;

  constructor(
    private readonly inner: ObjectStore,
    private readonly tally: () => RequestCounts,
  ) {
    this.location = inner.location;
  }

  async get(key: string): Promise<Uint8Array> {
    // Counted before it is answered: a GET of a missing key is billed as one too.
    const counts = this.tally();
    counts.get++;
    const bytes = await this.inner.get(key);
    counts.bytesRead += bytes.length;
    return bytes;
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    const bytes = await this.inner.getRange(key, start, endExclusive);
    const counts = this.tally();
    counts.getRange++;
    counts.bytesRead += bytes.length;
    return bytes;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.inner.put(key, body);
    this.countPut(body);
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const created = await putIfAbsentIn(this.inner, key, body);
    this.countPut(body);
    return created;
  }

  private countPut(body: Uint8Array | string): void {
    const counts = this.tally();
    counts.put++;
    counts.bytesWritten += typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  }

  exists(key: string): Promise<boolean> {
    this.tally().head++;
    return this.inner.exists(key);
  }

  size(key: string): Promise<number> {
    this.tally().head++;
    return this.inner.size(key);
  }

  async list(prefix: string): Promise<string[]> {
    const keys = await this.inner.list(prefix);
    this.tally().list += Math.max(1, Math.ceil(keys.length / KEYS_PER_REQUEST));
    return keys;
  }

  async listFolders(prefix: string): Promise<string[]> {
    const folders = await listFoldersOf(this.inner, prefix);
    this.tally().list += Math.max(1, Math.ceil(folders.length / KEYS_PER_REQUEST));
    return folders;
  }

  async listSizes(prefix: string): Promise<ListedObject[]> {
    const listed = await listWithSizes(this.inner, prefix);
    this.tally().list += Math.max(1, Math.ceil(listed.length / KEYS_PER_REQUEST));
    return listed;
  }

  async listSizesPage(prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage> {
    const page = await listPageOf(this.inner, prefix, startAfter, maxKeys);
    this.tally().list += Math.max(1, Math.ceil(page.objects.length / KEYS_PER_REQUEST));
    return page;
  }

  async deleteAll(keys: readonly string[]): Promise<void> {
    if (this.inner.deleteAll === undefined) return;
    await this.inner.deleteAll(keys);
    this.tally().delete += Math.ceil(keys.length / KEYS_PER_REQUEST);
  }
}
