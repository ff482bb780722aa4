/**
 * Write a synthetic corpus's images (real JPEG/PNG files of varied sizes) through the storage
 * port, for `megashard synth … --images`. Generation is pure (lib/core/images/synthetic-images.ts);
 * this file only names and stores the bytes.
 */
import { encodeSyntheticImage, syntheticImageSizes, type SyntheticImageSpec } from '../core/images/synthetic-images.js';
import { joinKey, type ObjectStore } from '../io/object-store.js';

/** What to write. */
export interface WriteSyntheticImagesOptions {
  /** Key prefix of the images, e.g. `images`. */
  readonly prefix: string;
  /** How many images. */
  readonly count: number;
  /** Sizes, formats and pixels all follow from it. */
  readonly seed: number;
}

/** One written image. */
export interface WrittenImage extends SyntheticImageSpec {
  /** Its key in the store, e.g. `images/000017.jpg`. */
  readonly key: string;
  /** Its file size in bytes. */
  readonly byteLength: number;
}

/** The key of image `index`: zero-padded so keys sort in index order. */
export function syntheticImageKey(prefix: string, index: number, spec: SyntheticImageSpec): string {
  return joinKey(prefix, `${String(index).padStart(6, '0')}.${spec.format === 'png' ? 'png' : 'jpg'}`);
}

/**
 * Generate and store `count` images, one at a time (bounded memory); deterministic in the options.
 * Pixel content of image i is seeded by (seed, i), so two images of the same size still differ.
 */
export async function writeSyntheticImages(store: ObjectStore, options: WriteSyntheticImagesOptions): Promise<WrittenImage[]> {
  const specs = syntheticImageSizes(options.count, options.seed);
  const written: WrittenImage[] = [];
  for (const [index, spec] of specs.entries()) {
    const bytes = encodeSyntheticImage(spec, (options.seed + Math.imul(index, 0x9e3779b1)) >>> 0);
    const key = syntheticImageKey(options.prefix, index, spec);
    await store.put(key, bytes);
    written.push({ ...spec, key, byteLength: bytes.length });
  }
  return written;
}
