/**
 * An image folder with one file per image fault a corpus meets in the wild, and which check level
 * first catches it: the fixtures of the record-fault regression tests and the corpus fuzz suite.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageCheckLevel } from '../../lib/core/images/image-check.js';
import { encodeSyntheticJpeg, encodeSyntheticPng } from '../../lib/core/images/synthetic-images.js';

/** Good images (their sizes matter to the anyres and dynamic rules). */
export const GOOD_IMAGES = { 'good-a.jpg': [64, 48], 'good-b.png': [40, 30], 'sub/good-c.jpg': [300, 20] } as const;

/** A broken image, the level that first rejects it, and the reason's gist. */
export interface BrokenImage {
  readonly ref: string;
  readonly caughtAt: ImageCheckLevel;
  readonly reason: RegExp;
}

/** One per fault, each caught at the cheapest level that can see it. */
export const BROKEN_IMAGES: readonly BrokenImage[] = [
  { ref: 'absent.jpg', caughtAt: 'exists', reason: /^missing image file$/ },
  { ref: 'a-folder.jpg', caughtAt: 'exists', reason: /^is a folder, not an image file$/ },
  { ref: 'zero-bytes.jpg', caughtAt: 'exists', reason: /^(empty image file \(0 bytes\)|unreadable image header: empty file)$/ },
  { ref: 'html-page.jpg', caughtAt: 'header', reason: /^unreadable image header: not a recognised image format$/ },
  { ref: 'cut-in-header.jpg', caughtAt: 'header', reason: /^unreadable image header: / },
  { ref: 'cut-in-pixels.jpg', caughtAt: 'decode', reason: /^does not decode \(JPEG: .*\): truncated or corrupt image data$/ },
  { ref: 'bad-crc.png', caughtAt: 'decode', reason: /^does not decode \(PNG: .*\): truncated or corrupt image data$/ },
];

const LEVEL_ORDER: readonly ImageCheckLevel[] = ['none', 'exists', 'header', 'decode'];

/** Whether `level` (after the rule raised it) rejects `image`. */
export function isCaught(image: BrokenImage, level: ImageCheckLevel): boolean {
  return LEVEL_ORDER.indexOf(level) >= LEVEL_ORDER.indexOf(image.caughtAt);
}

/** Write the good and broken images under `<datasetDir>/images`, and `outside.jpg` beside that folder. */
export async function writeFaultImages(datasetDir: string): Promise<void> {
  const root = join(datasetDir, 'images');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(root, 'a-folder.jpg'), { recursive: true });
  await writeFile(join(root, 'a-folder.jpg', 'inside.jpg'), encodeSyntheticJpeg(8, 8, 1));
  const [aw, ah] = GOOD_IMAGES['good-a.jpg'];
  const [bw, bh] = GOOD_IMAGES['good-b.png'];
  const [cw, ch] = GOOD_IMAGES['sub/good-c.jpg'];
  await writeFile(join(root, 'good-a.jpg'), encodeSyntheticJpeg(aw, ah, 2));
  await writeFile(join(root, 'good-b.png'), encodeSyntheticPng(bw, bh, 3));
  await writeFile(join(root, 'sub/good-c.jpg'), encodeSyntheticJpeg(cw, ch, 4));
  await writeFile(join(root, 'zero-bytes.jpg'), new Uint8Array(0));
  await writeFile(join(root, 'html-page.jpg'), '<html><body>403 Forbidden</body></html>\n');
  const jpeg = encodeSyntheticJpeg(320, 240, 5);
  await writeFile(join(root, 'cut-in-header.jpg'), jpeg.subarray(0, 60));
  await writeFile(join(root, 'cut-in-pixels.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  const png = encodeSyntheticPng(50, 40, 6).slice();
  png[png.length - 30] = png[png.length - 30]! ^ 0xff; // inside the last IDAT: a checksum fails
  await writeFile(join(root, 'bad-crc.png'), png);
  await writeFile(join(datasetDir, 'outside.jpg'), encodeSyntheticJpeg(16, 16, 7));
}
