import { createHash } from 'node:crypto';
import { listFoldersOf, listPageOf, putIfAbsentIn, listWithSizes, type ListedObject, type ListedPage, type ObjectStore } from './object-store.js';

/** One object written through a {@link RecordingStore}. */
export interface WrittenObject {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * A store that passes everything through to another and remembers what was written (key, size,
 * SHA-256 of the body as sent), so a step can record its outputs without reading them back.
 */
export class RecordingStore implements ObjectStore {
  readonly location: string;
  private readonly written = new Map<string, WrittenObject>();

  constructor(private readonly inner: ObjectStore) {
    this.location = inner.location;
  }

  /** Every object written so far (the last write of each key), by key. */
  writtenObjects(): WrittenObject[] {
    return [...this.written.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.inner.put(key, body);
    this.remember(key, body);
  }

  private remember(key: string, body: Uint8Array | string): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.written.set(key, { key, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
  }

  /** Recorded only when this call created the object (otherwise this step wrote nothing). */
  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const created = await putIfAbsentIn(this.inner, key, body);
    if (created) this.remember(key, body);
    return created;
  }

  get(key: string): Promise<Uint8Array> {
    return this.inner.get(key);
  }

  getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    return this.inner.getRange(key, start, endExclusive);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  size(key: string): Promise<number> {
    return this.inner.size(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  listFolders(prefix: string): Promise<string[]> {
    return listFoldersOf(this.inner, prefix);
  }

  listSizesPage(prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage> {
    return listPageOf(this.inner, prefix, startAfter, maxKeys);
  }

  listSizes(prefix: string): Promise<ListedObject[]> {
    return listWithSizes(this.inner, prefix);
  }

  /** Deleted objects are forgotten: a step that writes then deletes an intermediate does not record it. */
  async deleteAll(keys: readonly string[]): Promise<void> {
    if (this.inner.deleteAll === undefined) return;
    await this.inner.deleteAll(keys);
    for (const key of keys) this.written.delete(key);
  }
}
