/**
 * The `decode` image check: decode a whole JPEG or PNG with a maintained pure-JS decoder (jpeg-js,
 * pngjs — already the encoders of our synthetic images) to catch what a header cannot show:
 * truncated downloads, corrupt entropy-coded data, bad PNG checksums. Other formats (WebP, GIF,
 * BMP, TIFF) have no such decoder among our dependencies and are checked to their header.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { ImageHeader } from '../../core/images/image-header.js';

/** Largest image decoded, in pixels (jpeg-js's own default): decoding holds every pixel in memory. */
export const MAX_DECODE_PIXELS = 100_000_000;
/** Memory one JPEG decode may use (jpeg-js refuses beyond it instead of exhausting the heap). */
const MAX_DECODE_MEMORY_MB = 512;

/** Formats {@link decodeImageProblem} decodes; the rest are header-checked only. */
export const DECODED_FORMATS: ReadonlySet<string> = new Set(['jpg', 'png']);

/**
 * Why the whole file `bytes`, whose header is `header`, does not decode to a `width × height`
 * image, or undefined when it does (or when its format is not one we decode).
 */
export function decodeImageProblem(bytes: Uint8Array, header: ImageHeader): string | undefined {
  if (!DECODED_FORMATS.has(header.format)) return undefined;
  const pixels = header.width * header.height;
  if (pixels > MAX_DECODE_PIXELS) {
    return `${header.width}×${header.height} = ${pixels} pixels, over the decode limit of ${MAX_DECODE_PIXELS}; use imageCheck "header" for such images`;
  }
  let decoded: { width: number; height: number };
  try {
    decoded = header.format === 'jpg' ? decodeJpeg(bytes) : PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `does not decode (${header.format === 'jpg' ? 'JPEG' : 'PNG'}: ${message}): truncated or corrupt image data`;
  }
  if (decoded.width !== header.width || decoded.height !== header.height) {
    return `decodes to ${decoded.width}×${decoded.height} but its header says ${header.width}×${header.height}`;
  }
  return undefined;
}

/**
 * Strict JPEG decode: `tolerantDecoding: false` so missing scan data is an error (Pillow raises
 * "image file is truncated" on the same files), one byte per component, no RGBA expansion.
 */
function decodeJpeg(bytes: Uint8Array): { width: number; height: number } {
  return jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: MAX_DECODE_PIXELS / 1_000_000,
    maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
  });
}
