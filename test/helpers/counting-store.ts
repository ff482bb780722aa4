/** An ObjectStore wrapper that records every read, to prove what a reader did NOT fetch. */
import type { ObjectStore } from '../../lib/io/object-store.js';

/** One read the wrapped store served: a whole get or a [start, end) range, and the bytes returned. */
export interface RecordedRead {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
  readonly whole: boolean;
}

/** Delegates everything to `inner` and records each get/getRange. */
export class CountingStore implements ObjectStore {
  readonly location: string;
  readonly reads: RecordedRead[] = [];

  constructor(private readonly inner: ObjectStore) {
    this.location = inner.location;
  }

  /** Bytes returned by all reads so far. */
  get bytesRead(): number {
    return this.reads.reduce((sum, read) => sum + read.bytes, 0);
  }

  /** Forget the reads so far (e.g. after opening, to count only what follows). */
  reset(): void {
    this.reads.length = 0;
  }

  async get(key: string): Promise<Uint8Array> {
    const bytes = await this.inner.get(key);
    this.reads.push({ key, start: 0, end: bytes.length, bytes: bytes.length, whole: true });
    return bytes;
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    const bytes = await this.inner.getRange(key, start, endExclusive);
    this.reads.push({ key, start, end: start + bytes.length, bytes: bytes.length, whole: false });
    return bytes;
  }

  put(key: string, body: Uint8Array | string): Promise<void> {
    return this.inner.put(key, body);
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
}
