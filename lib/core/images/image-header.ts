/**
 * Image sizes from the first bytes of a file, never by decoding it: a thin wrapper over
 * `image-size` (v2 buffer API, pure: no fs) that also says whether more bytes could help.
 *
 * Orientation decision: we return the STORED width × height, as PIL's `Image.open(path).size`
 * does. LLaVA (`Image.open(...).convert('RGB')`) and Qwen2-VL's processor on a PIL image do not
 * apply EXIF rotation, so that is the size their token counts see. A loader that calls
 * `ImageOps.exif_transpose` (transformers' `load_image` does) sees {@link orientedSize} instead.
 */
import { imageSize } from 'image-size';

/** Bytes a ranged read fetches first: enough for PNG/GIF/WebP headers and most JPEG EXIF blocks. */
export const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * Most bytes we read looking for a header. JPEG frame headers (SOF) follow every APPn block, and
 * camera EXIF thumbnails, ICC profiles and XMP can push them past 64 KiB, rarely past a few MiB.
 */
export const HEADER_MAX_PROBE_BYTES = 4 * 1024 * 1024;

/** What a header tells us. */
export interface ImageHeader {
  /** Stored pixel width (EXIF orientation not applied, like PIL's `Image.size`). */
  readonly width: number;
  /** Stored pixel height. */
  readonly height: number;
  /** image-size's type name: `jpg`, `png`, `webp`, `gif`, … */
  readonly format: string;
  /** EXIF orientation 1–8 when a JPEG carries one. */
  readonly orientation?: number;
}

/** The outcome of parsing a prefix of an image file. */
export type HeaderParse =
  | { readonly kind: 'header'; readonly header: ImageHeader }
  /** The format is known but its header is not within these bytes: read more (if the file has more). */
  | { readonly kind: 'need-more-bytes'; readonly detail: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Message of whatever image-size threw (TypeError, or RangeError when it read past the buffer). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `bytes` on an ArrayBuffer of exactly its length. image-size reads through DataViews on
 * `bytes.buffer`, so on a subarray it would silently read past the prefix into whatever follows
 * (the rest of a file, a zeroed read buffer) and report a size from bytes we never meant to give it.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** Whether image-size recognises the format from the leading bytes (its own detector, no size yet). */
function detectsFormat(message: string): boolean {
  return !message.startsWith('unsupported file type');
}

/**
 * Parse the header from `bytes`, the first bytes of a file; `wholeFile` says whether they are all of
 * it. A failure on a known format with bytes still unread is `need-more-bytes`, since image-size
 * cannot tell a truncated buffer from a corrupt file; at the end of the file it is `unreadable`.
 */
export function parseImageHeader(bytes: Uint8Array, wholeFile: boolean): HeaderParse {
  if (bytes.length === 0) {
    return wholeFile ? { kind: 'unreadable', reason: 'empty file' } : { kind: 'need-more-bytes', detail: 'no bytes yet' };
  }
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(ownBuffer(bytes));
  } catch (error) {
    const message = messageOf(error);
    if (!detectsFormat(message)) return { kind: 'unreadable', reason: 'not a recognised image format' };
    return wholeFile ? { kind: 'unreadable', reason: message } : { kind: 'need-more-bytes', detail: message };
  }
  const { width, height } = size;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    return { kind: 'unreadable', reason: `header gives no pixel size (${String(width)}×${String(height)})` };
  }
  const header: ImageHeader = {
    width,
    height,
    format: size.type ?? 'unknown',
    ...(size.orientation !== undefined ? { orientation: size.orientation } : {}),
  };
  return { kind: 'header', header };
}

/** The size after EXIF rotation (orientations 5–8 turn the image a quarter: width and height swap). */
export function orientedSize(header: ImageHeader): { width: number; height: number } {
  const quarterTurn = header.orientation !== undefined && header.orientation >= 5 && header.orientation <= 8;
  return quarterTurn ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

/**
 * The next probe length after the first `currentBytes` bytes did not hold the header: four times as
 * many (64 KiB → 256 KiB → 1 MiB → 4 MiB), capped at `maxBytes`; undefined once the cap was read.
 */
export function nextProbeBytes(currentBytes: number, maxBytes = HEADER_MAX_PROBE_BYTES): number | undefined {
  if (currentBytes >= maxBytes) return undefined;
  return Math.min(maxBytes, Math.max(1, currentBytes) * 4);
}
