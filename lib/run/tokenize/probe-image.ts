/**
 * One image checked against the store at one level (`imageCheck`): what the record that refers to
 * it needs to know. A fault of the image (missing, a folder, empty, not an image, truncated,
 * corrupt) is a reason its records are rejected; a fault of the store (permissions, throttling
 * after retries, unreachable) is thrown, since it says nothing about the image and stops the run.
 */
import { ObjectNotFoundError } from '../../core/errors.js';
import { imageSizeSanityProblem, type ImageCheckLevel, type ImageFacts } from '../../core/images/image-check.js';
import { parseImageHeader } from '../../core/images/image-header.js';
import type { ObjectStore } from '../../io/object-store.js';
import { decodeImageProblem } from './decode-image.js';
import { notFoundResult, readImageSize, type ReadImageSizeOptions } from './read-image-size.js';

/** Usable, size not read (levels none and exists). */
const UNSIZED: ImageFacts = { ok: true, width: 0, height: 0 };

const rejected = (reason: string): ImageFacts => ({ ok: false, reason });

/** Check image `key` in `store` at `level`: one HEAD (exists), one or a few ranged reads (header), one whole read (decode). */
export async function probeImage(store: ObjectStore, key: string, level: ImageCheckLevel, options: ReadImageSizeOptions = {}): Promise<ImageFacts> {
  switch (level) {
    case 'none':
      return UNSIZED;
    case 'exists':
      return probeExists(store, key);
    case 'header':
      return probeHeader(store, key, options);
    case 'decode':
      return probeDecode(store, key);
  }
}

/** The object exists and holds bytes (its size comes with the HEAD, so an empty file costs nothing more). */
async function probeExists(store: ObjectStore, key: string): Promise<ImageFacts> {
  try {
    return (await store.size(key)) === 0 ? rejected('empty image file (0 bytes)') : UNSIZED;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return rejected(notFoundResult(error).reason);
    throw error;
  }
}

/** The header parses and gives a size a loader will accept. */
async function probeHeader(store: ObjectStore, key: string, options: ReadImageSizeOptions): Promise<ImageFacts> {
  const size = await readImageSize(store, key, options);
  if (!size.ok) return rejected(size.reason);
  return sized(size.header.width, size.header.height);
}

/** The whole file: header first (same reasons as `header`), then a full decode of JPEG and PNG. */
async function probeDecode(store: ObjectStore, key: string): Promise<ImageFacts> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return rejected(notFoundResult(error).reason);
    throw error;
  }
  const parsed = parseImageHeader(bytes, true);
  if (parsed.kind !== 'header') return rejected(`unreadable image header: ${parsed.kind === 'unreadable' ? parsed.reason : parsed.detail}`);
  const facts = sized(parsed.header.width, parsed.header.height);
  if (!facts.ok) return facts;
  const problem = decodeImageProblem(bytes, parsed.header);
  return problem === undefined ? facts : rejected(problem);
}

/** A usable size, or the reason no loader would open an image of that size. */
function sized(width: number, height: number): ImageFacts {
  const insane = imageSizeSanityProblem(width, height);
  return insane === undefined ? { ok: true, width, height } : rejected(insane);
}
