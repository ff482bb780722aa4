import { ObjectNotFoundError } from '../core/errors.js';
import { checkByteRange, listFoldersByKeys, type ListedObject, type ObjectStore } from './object-store.js';

/** An in-memory store, for tests and dry runs. */
export class MemoryObjectStore implements ObjectStore {
  readonly location: string;
  private readonly objects = new Map<string, Uint8Array>();

  constructor(location = 'memory://') {
    this.location = location;
  }

  async get(key: string): Promise<Uint8Array> {
    return this.stored(key).slice();
  }

  /** Copies only the requested bytes (callers may keep or mutate them; the stored object stays intact). */
  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    checkByteRange(start, endExclusive);
    const body = this.stored(key);
    return body.slice(Math.min(start, body.length), Math.min(endExclusive, body.length));
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body.slice());
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    if (this.objects.has(key)) return false;
    await this.put(key, body);
    return true;
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async size(key: string): Promise<number> {
    return this.stored(key).length;
  }

  private stored(key: string): Uint8Array {
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(`${this.location}${key}`);
    return body;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async listSizes(prefix: string): Promise<ListedObject[]> {
    return (await this.list(prefix)).map((key) => ({ key, bytes: this.stored(key).length }));
  }

  async deleteAll(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  listFolders(prefix: string): Promise<string[]> {
    return listFoldersByKeys(this, prefix);
  }
}
