/**
 * Read one image's size from its header through the storage port: a 64 KiB ranged read first,
 * growing ×4 up to 4 MiB when the header (a JPEG frame header behind large EXIF/ICC blocks) is
 * further in. Never fetches or decodes the whole image unless the file is smaller than a probe.
 */
import { ObjectNotFoundError } from '../../core/errors.js';
import { HEADER_MAX_PROBE_BYTES, HEADER_PROBE_BYTES, nextProbeBytes, parseImageHeader, type ImageHeader } from '../../core/images/image-header.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Why a sample's image was rejected: `missing` (no such object), `folder` (a folder of that name) or `unreadable` (no usable header). */
export type ImageSizeRejectCode = 'missing' | 'folder' | 'unreadable';

/** A size, or the reason the sample that needs it is rejected. */
export type ImageSizeResult = ImageSizeFound | ImageSizeRejected;

/** The header was found after fetching `bytesRead` bytes. */
export interface ImageSizeFound {
  readonly ok: true;
  readonly header: ImageHeader;
  readonly bytesRead: number;
}

/** The sample is rejected: `reason` is `missing image file`, `is a folder, not an image file` or `unreadable image header: …`. */
export interface ImageSizeRejected {
  readonly ok: false;
  readonly code: ImageSizeRejectCode;
  readonly reason: string;
}

/** Probe sizes; the defaults suit real corpora, tests shrink them. */
export interface ReadImageSizeOptions {
  /** First ranged read, in bytes (default HEADER_PROBE_BYTES, 64 KiB). */
  readonly firstProbeBytes?: number;
  /** Give up after this many bytes (default HEADER_MAX_PROBE_BYTES, 4 MiB). */
  readonly maxProbeBytes?: number;
}

const MISSING: ImageSizeResult = { ok: false, code: 'missing', reason: 'missing image file' };
const FOLDER: ImageSizeResult = { ok: false, code: 'folder', reason: 'is a folder, not an image file' };

/** The reject an absent object gives: missing, or a folder where an image was expected. */
export function notFoundResult(error: ObjectNotFoundError): ImageSizeRejected {
  return (error.kind === 'folder' ? FOLDER : MISSING) as ImageSizeRejected;
}

function unreadable(detail: string): ImageSizeResult {
  return { ok: false, code: 'unreadable', reason: `unreadable image header: ${detail}` };
}

function concatBytes(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.length === 0) return tail;
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head, 0);
  joined.set(tail, head.length);
  return joined;
}

/**
 * The stored width × height (EXIF orientation reported, not applied) of image `key`, or a reject
 * reason. Only a missing object becomes a reject; storage failures (permissions, throttling) are
 * thrown, since they say nothing about the sample and may succeed on retry.
 */
export async function readImageSize(store: ObjectStore, key: string, options: ReadImageSizeOptions = {}): Promise<ImageSizeResult> {
  const maxBytes = options.maxProbeBytes ?? HEADER_MAX_PROBE_BYTES;
  let wantBytes = Math.min(options.firstProbeBytes ?? HEADER_PROBE_BYTES, maxBytes);
  let bytes: Uint8Array = new Uint8Array(0);
  for (;;) {
    let chunk: Uint8Array;
    try {
      // Fetch only the bytes not read yet: earlier probes are kept, not re-read.
      chunk = await store.getRange(key, bytes.length, wantBytes);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return notFoundResult(error);
      throw error;
    }
    const wholeFile = bytes.length + chunk.length < wantBytes;
    bytes = concatBytes(bytes, chunk);
    const parsed = parseImageHeader(bytes, wholeFile);
    if (parsed.kind === 'header') return { ok: true, header: parsed.header, bytesRead: bytes.length };
    if (parsed.kind === 'unreadable') return unreadable(parsed.reason);
    const next = nextProbeBytes(wantBytes, maxBytes);
    if (next === undefined) return unreadable(`header not found within ${wantBytes} bytes (${parsed.detail})`);
    wantBytes = next;
  }
}
