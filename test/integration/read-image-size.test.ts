/** Image sizes from real files through the storage port, by ranged reads only. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { HEADER_PROBE_BYTES } from '../../lib/core/images/image-header.js';
import { addJpegMetadata, encodeSyntheticJpeg, encodeSyntheticPng } from '../../lib/core/images/synthetic-images.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { readImageSize } from '../../lib/run/tokenize/read-image-size.js';
import { writeSyntheticImages } from '../../lib/synth/write-images.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** Counts the bytes ranged reads return, and fails any whole-object read. */
class CountingStore implements ObjectStore {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: ObjectStore) {}
  get location() {
    return this.inner.location;
  }
  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    const bytes = await this.inner.getRange(key, start, endExclusive);
    this.bytesRead += bytes.length;
    this.reads += 1;
    return bytes;
  }
  get(key: string): Promise<Uint8Array> {
    throw new Error(`whole-object read of ${key}: header probes must use ranges`);
  }
  put(key: string, body: Uint8Array | string) {
    return this.inner.put(key, body);
  }
  exists(key: string) {
    return this.inner.exists(key);
  }
  size(key: string) {
    return this.inner.size(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
}

let dir: string | undefined;
let store: FsObjectStore;
const largeJpeg = encodeSyntheticJpeg(1920, 1080, 11);
/** A phone-like photo: its frame header lies ~200 KB in, behind EXIF and filler standing for thumbnails/ICC. */
const bulkyJpeg = addJpegMetadata(encodeSyntheticJpeg(1920, 1080, 12), { orientation: 6, paddingBytes: 200_000 });

beforeAll(async () => {
  dir = await makeTempDir('image-size');
  store = new FsObjectStore(dir);
  await store.put('img/large.jpg', largeJpeg);
  await store.put('img/bulky.jpg', bulkyJpeg);
  await store.put('img/small.png', encodeSyntheticPng(37, 23, 13));
  await store.put('img/truncated.jpg', bulkyJpeg.subarray(0, 70_000));
  await store.put('img/caption.txt', 'a photo of a cat, not the photo itself\n'.repeat(50));
});

afterAll(() => removeTempDir(dir));

describe('readImageSize', () => {
  it('reads a large JPEG’s size from the first probe alone, never the whole file', async () => {
    expect(largeJpeg.length).toBeGreaterThan(HEADER_PROBE_BYTES);
    const counting = new CountingStore(store);
    const result = await readImageSize(counting, 'img/large.jpg');
    expect(result).toEqual({ ok: true, header: { width: 1920, height: 1080, format: 'jpg' }, bytesRead: HEADER_PROBE_BYTES });
    expect(counting.reads).toBe(1);
    expect(counting.bytesRead).toBeLessThanOrEqual(HEADER_PROBE_BYTES);
  });

  it('grows the range when the frame header sits behind 200 KB of metadata, without re-reading', async () => {
    const counting = new CountingStore(store);
    const result = await readImageSize(counting, 'img/bulky.jpg');
    expect(result).toMatchObject({ ok: true, header: { width: 1920, height: 1080, orientation: 6 } });
    // 64 KiB, then the next 192 KiB up to 256 KiB: each byte fetched once, the file's tail never.
    expect(counting.reads).toBe(2);
    expect(counting.bytesRead).toBe(4 * HEADER_PROBE_BYTES);
    expect(bulkyJpeg.length).toBeGreaterThan(4 * HEADER_PROBE_BYTES);
  });

  it('reads a file smaller than the probe in one short read', async () => {
    const counting = new CountingStore(store);
    expect(await readImageSize(counting, 'img/small.png')).toMatchObject({ ok: true, header: { width: 37, height: 23, format: 'png' } });
    expect(counting.reads).toBe(1);
  });

  it('rejects a missing image with the reason `missing image file`', async () => {
    expect(await readImageSize(store, 'img/absent.jpg')).toEqual({ ok: false, code: 'missing', reason: 'missing image file' });
  });

  it('rejects truncated and non-image files as unreadable, saying why', async () => {
    const truncated = await readImageSize(store, 'img/truncated.jpg');
    expect(truncated).toMatchObject({ ok: false, code: 'unreadable', reason: expect.stringMatching(/^unreadable image header: .*JPG/) });
    expect(await readImageSize(store, 'img/caption.txt')).toEqual({
      ok: false,
      code: 'unreadable',
      reason: 'unreadable image header: not a recognised image format',
    });
  });

  it('gives up at the probe cap', async () => {
    const result = await readImageSize(store, 'img/bulky.jpg', { firstProbeBytes: 1024, maxProbeBytes: 16_384 });
    expect(result).toMatchObject({ ok: false, code: 'unreadable', reason: expect.stringMatching(/header not found within 16384 bytes/) });
  });

  it('works through the plain filesystem store and the in-memory store too', async () => {
    expect(await readImageSize(new FsObjectStore(dir!), 'img/large.jpg')).toMatchObject({ ok: true, header: { width: 1920 } });
    const memory = new MemoryObjectStore();
    await memory.put('a.jpg', bulkyJpeg);
    expect(await readImageSize(memory, 'a.jpg')).toMatchObject({ ok: true, header: { width: 1920, height: 1080 } });
    expect(await readImageSize(memory, 'b.jpg')).toMatchObject({ ok: false, code: 'missing' });
  });

  it('reads back the size of every synthetic image written for a corpus', async () => {
    const written = await writeSyntheticImages(store, { prefix: 'synth', count: 60, seed: 7 });
    expect(new Set(written.map((image) => `${image.width}x${image.height}`)).size).toBeGreaterThan(5);
    for (const image of written) {
      const result = await readImageSize(store, image.key);
      expect(result).toMatchObject({ ok: true, header: { width: image.width, height: image.height } });
    }
  });
});

describe('ranged reads', () => {
  it('return the requested bytes, short at the end of the file, empty past it', async () => {
    const root = store.location;
    await writeFile(join(root, 'ten.bin'), Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect([...(await store.getRange('ten.bin', 2, 5))]).toEqual([2, 3, 4]);
    expect([...(await store.getRange('ten.bin', 8, 100))]).toEqual([8, 9]);
    expect((await store.getRange('ten.bin', 10, 20)).length).toBe(0);
    const memory = new MemoryObjectStore();
    await memory.put('ten.bin', Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect([...(await memory.getRange('ten.bin', 8, 100))]).toEqual([8, 9]);
  });

  it('refuse keys outside the store and malformed ranges', async () => {
    await expect(store.getRange('../outside', 0, 10)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.getRange('ten.bin', 5, 2)).rejects.toBeInstanceOf(RangeError);
  });
});
