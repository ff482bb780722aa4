import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeSyntheticJpeg, syntheticImageSizes } from '../core/images/synthetic-images.js';

/** Distinct generated pictures; every image path of a corpus is a hard link to one of them. */
const POOL_SIZE = 48;

/**
 * Give every image path of a synthetic corpus a real JPEG file of a realistic size. Encoding
 * 665K pictures would take hours and gigabytes, so a pool of varied pictures is generated once
 * and each path is hard-linked to one of them (chosen by the path's index): every file is a
 * genuine JPEG whose header reads like any other, at the cost of one directory entry.
 */
export async function writeImagePool(root: string, imagePaths: readonly string[], seed: number): Promise<number> {
  const poolDir = join(root, '.pool');
  await mkdir(poolDir, { recursive: true });
  const sizes = syntheticImageSizes(Math.min(POOL_SIZE, Math.max(1, imagePaths.length)), seed);
  const pool: string[] = [];
  for (const [index, size] of sizes.entries()) {
    const path = join(poolDir, `${index}.jpg`);
    await writeFile(path, encodeSyntheticJpeg(size.width, size.height, (seed + index * 7919) >>> 0));
    pool.push(path);
  }
  const made = new Set<string>();
  for (const [index, imagePath] of imagePaths.entries()) {
    const target = join(root, imagePath);
    if (made.has(target)) continue;
    made.add(target);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await link(pool[index % pool.length]!, target);
  }
  return made.size;
}
