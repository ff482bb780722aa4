/**
 * Real, small, deterministic JPEG and PNG files for synthetic corpora and tests: sizes drawn from
 * a distribution shaped after public image–text data, content from an integer hash (no
 * Math.random), bytes from jpeg-js / pngjs (pure encoders). Same (seed, index) → same bytes.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Mt19937 } from '../rng/mt19937.js';

/** JPEG quality of synthetic images: low, so hundreds of files stay small and quick to write. */
export const SYNTHETIC_JPEG_QUALITY = 50;

/** The container formats we synthesise. */
export type SyntheticImageFormat = 'jpeg' | 'png';

/** One synthetic image to make. */
export interface SyntheticImageSpec {
  readonly width: number;
  readonly height: number;
  readonly format: SyntheticImageFormat;
}

/**
 * Sizes with their weights (per mille): COCO's 640×480 / 480×640 / 640×427, Flickr/VOC's 500×375,
 * pre-cropped 224²/336² (CLIP inputs), screenshots and video frames up to 1920×1080, extreme
 * banners/strips (4:1) that exercise AnyRes unpadding; the last 70‰ are uniform in [32, 1600]².
 */
const SIZE_TABLE: ReadonlyArray<readonly [width: number, height: number, perMille: number]> = [
  [640, 480, 300],
  [480, 640, 120],
  [500, 375, 100],
  [375, 500, 50],
  [640, 427, 100],
  [224, 224, 60],
  [336, 336, 40],
  [1024, 768, 50],
  [1280, 720, 40],
  [1920, 1080, 30],
  [1080, 1920, 10],
  [1000, 250, 20],
  [250, 1000, 10],
];
const RANDOM_SIDE_MIN = 32;
const RANDOM_SIDE_MAX = 1600;
/** Share of PNGs (screenshots, diagrams); the rest are JPEG photos. */
const PNG_PER_MILLE = 150;
/** Stream tag "img1", keeping this stream apart from other uses of the same seed. */
const STREAM_TAG = 0x696d6731;

/** Draw one size from SIZE_TABLE, or uniformly when the draw lands past it. */
function drawSize(rng: Mt19937): { width: number; height: number } {
  let pick = rng.nextUint32() % 1000;
  for (const [width, height, perMille] of SIZE_TABLE) {
    if (pick < perMille) return { width, height };
    pick -= perMille;
  }
  const span = RANDOM_SIDE_MAX - RANDOM_SIDE_MIN + 1;
  return { width: RANDOM_SIDE_MIN + (rng.nextUint32() % span), height: RANDOM_SIDE_MIN + (rng.nextUint32() % span) };
}

/** `count` image specs, deterministic in (count, seed); a prefix of a longer list for the same seed. */
export function syntheticImageSizes(count: number, seed: number): SyntheticImageSpec[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count ${count} must be an integer ≥ 0`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed ${seed} must be an integer ≥ 0`);
  const rng = Mt19937.fromKey([seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, STREAM_TAG]);
  const specs: SyntheticImageSpec[] = [];
  for (let i = 0; i < count; i++) {
    const { width, height } = drawSize(rng);
    const format: SyntheticImageFormat = rng.nextUint32() % 1000 < PNG_PER_MILLE ? 'png' : 'jpeg';
    specs.push({ width, height, format });
  }
  return specs;
}

/** A 32-bit integer hash of three integers (murmur3's finaliser over a multiplicative mix). */
function hash32(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * RGBA pixels: a diagonal gradient plus a hash-coloured tint per 16-px block. Smooth within blocks
 * so files compress well, varied across blocks so they are not trivially tiny.
 */
function syntheticRgba(width: number, height: number, contentSeed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const tint = hash32(contentSeed, x >> 4, y >> 4);
      const at = (y * width + x) * 4;
      data[at] = (Math.floor((x * 200) / width) + (tint & 0x3f)) & 0xff;
      data[at + 1] = (Math.floor((y * 200) / height) + ((tint >>> 8) & 0x3f)) & 0xff;
      data[at + 2] = (Math.floor(((x + y) * 100) / (width + height)) + ((tint >>> 16) & 0x7f)) & 0xff;
      data[at + 3] = 0xff;
    }
  }
  return data;
}

/** A baseline JPEG (SOF0) of `width × height`. */
export function encodeSyntheticJpeg(width: number, height: number, contentSeed: number, quality = SYNTHETIC_JPEG_QUALITY): Uint8Array {
  const encoded = jpeg.encode({ width, height, data: syntheticRgba(width, height, contentSeed) }, quality);
  return new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
}

/** An 8-bit RGB PNG of `width × height`. */
export function encodeSyntheticPng(width: number, height: number, contentSeed: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data.set(syntheticRgba(width, height, contentSeed));
  const encoded = PNG.sync.write(png, { colorType: 2 });
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** The file bytes of one spec. */
export function encodeSyntheticImage(spec: SyntheticImageSpec, contentSeed: number): Uint8Array {
  return spec.format === 'png' ? encodeSyntheticPng(spec.width, spec.height, contentSeed) : encodeSyntheticJpeg(spec.width, spec.height, contentSeed);
}

/** One JPEG marker segment: FF, marker, big-endian length (payload + 2), payload. */
function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xfffd) throw new RangeError(`a JPEG segment holds at most 65533 bytes, not ${payload.length}`);
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff], 0);
  segment.set(payload, 4);
  return segment;
}

/** An EXIF APP1 payload whose IFD0 holds only the Orientation tag (0x0112, SHORT). */
function exifOrientationPayload(orientation: number): Uint8Array {
  const payload = new Uint8Array(32);
  const view = new DataView(payload.buffer);
  payload.set([0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0x00, 0x2a], 0); // "Exif\0\0", "MM", 42
  view.setUint32(10, 8); // IFD0 right after the TIFF header
  view.setUint16(14, 1); // one entry
  view.setUint16(16, 0x0112);
  view.setUint16(18, 3);
  view.setUint32(20, 1);
  view.setUint16(24, orientation);
  return payload; // next-IFD offset (bytes 28–31) stays 0
}

/**
 * Phone-camera-like metadata inserted after the JFIF APP0 segment: an EXIF orientation and/or
 * `paddingBytes` of APP15 filler standing in for thumbnails and ICC profiles, which push the
 * frame header (SOF) deeper into the file. The pixels, and the stored size, are unchanged.
 */
export function addJpegMetadata(jpegBytes: Uint8Array, meta: { orientation?: number; paddingBytes?: number }): Uint8Array {
  const segments: Uint8Array[] = [];
  if (meta.orientation !== undefined) segments.push(jpegSegment(0xe1, exifOrientationPayload(meta.orientation)));
  for (let left = meta.paddingBytes ?? 0; left > 0; left -= 0xfffd) {
    segments.push(jpegSegment(0xef, new Uint8Array(Math.min(left, 0xfffd))));
  }
  const hasApp0 = jpegBytes[2] === 0xff && jpegBytes[3] === 0xe0;
  const insertAt = hasApp0 ? 4 + ((jpegBytes[4]! << 8) | jpegBytes[5]!) : 2;
  const total = jpegBytes.length + segments.reduce((sum, s) => sum + s.length, 0);
  const out = new Uint8Array(total);
  out.set(jpegBytes.subarray(0, insertAt), 0);
  let at = insertAt;
  for (const segment of segments) {
    out.set(segment, at);
    at += segment.length;
  }
  out.set(jpegBytes.subarray(insertAt), at);
  return out;
}
