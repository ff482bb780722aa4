/**
 * What each `imageCheck` level costs per image: store requests, bytes read and CPU time, on a
 * folder of photo-like JPEGs (COCO/LAION sizes, quality 90, textured so they weigh what photos
 * weigh) and a few PNGs. docs/image-tokens.md quotes its output.
 *
 *   npx tsx bench/image-check.ts [images=400] [folder=/tmp/megashard-image-check]
 */
import { mkdir, rm } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import type { ImageCheckLevel } from '../lib/core/images/image-check.js';
import { encodeSyntheticPng } from '../lib/core/images/synthetic-images.js';
import { FsObjectStore } from '../lib/io/fs-store.js';
import { probeImage } from '../lib/run/tokenize/probe-image.js';

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [640, 480],
  [640, 427],
  [480, 640],
  [500, 375],
  [1024, 768],
  [336, 336],
];

/** Textured RGBA (value noise over gradients): compresses like a photo, unlike a flat gradient. */
function photoLike(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const x = (i / 4) % width;
    const noise = state & 0x1f;
    data[i] = (x * 255) / width + noise;
    data[i + 1] = ((i / 4 / width) * 255) / height + (noise >> 1);
    data[i + 2] = 128 + ((state >>> 8) & 0x0f);
    data[i + 3] = 0xff;
  }
  return data;
}

async function writeImages(store: FsObjectStore, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let k = 0; k < count; k++) {
    const [width, height] = SIZES[k % SIZES.length]!;
    const png = k % 10 === 9;
    const key = `images/${String(k).padStart(6, '0')}.${png ? 'png' : 'jpg'}`;
    const bytes = png ? encodeSyntheticPng(width, height, k) : jpeg.encode({ width, height, data: photoLike(width, height, k + 1) }, 90).data;
    await store.put(key, bytes);
    keys.push(key);
  }
  return keys;
}

/** The folder store, counting the calls and bytes each check makes (a HEAD is a `size` call). */
class CountingFsStore extends FsObjectStore {
  requests = 0;
  bytesRead = 0;

  override async get(key: string): Promise<Uint8Array> {
    return this.count(await super.get(key));
  }

  override async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    return this.count(await super.getRange(key, start, endExclusive));
  }

  override async size(key: string): Promise<number> {
    this.requests += 1;
    return super.size(key);
  }

  private count(bytes: Uint8Array): Uint8Array {
    this.requests += 1;
    this.bytesRead += bytes.length;
    return bytes;
  }
}

async function measure(store: FsObjectStore, keys: readonly string[], level: ImageCheckLevel) {
  const counting = new CountingFsStore(store.location);
  for (const key of keys.slice(0, 20)) await probeImage(store, key, level); // warm the page cache and the JIT
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let rejected = 0;
  for (const key of keys) rejected += (await probeImage(counting, key, level)).ok ? 0 : 1;
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  return {
    level,
    rejected,
    requestsPerImage: counting.requests / keys.length,
    kibReadPerImage: Math.round(counting.bytesRead / keys.length / 102.4) / 10,
    wallMsPerImage: Math.round((wallMs / keys.length) * 100) / 100,
    cpuMsPerImage: Math.round(((cpu.user + cpu.system) / 1000 / keys.length) * 100) / 100,
  };
}

const count = Number(process.argv[2] ?? 400);
const folder = process.argv[3] ?? '/tmp/megashard-image-check';
await rm(folder, { recursive: true, force: true });
await mkdir(folder, { recursive: true });
const store = new FsObjectStore(folder);
const keys = await writeImages(store, count);
const sizes = await Promise.all(keys.map((key) => store.size(key)));
process.stdout.write(`${count} images, mean ${Math.round(sizes.reduce((a, b) => a + b, 0) / count / 1024)} KiB\n`);
for (const level of ['exists', 'header', 'decode'] as const) process.stdout.write(`${JSON.stringify(await measure(store, keys, level))}\n`);
await rm(folder, { recursive: true, force: true });
