/**
 * The container a Route call writes for one tokens file: a fixed header, then one Arrow file per
 * section (rows of that file bound for that (epoch, rank range)), sections in order. The header's
 * offset table sits at a position computable from the section number alone, so an Assemble call
 * reads its section's two offsets with one small ranged GET and the section with a second, without
 * knowing the object's size or reading any other section.
 *
 * ```
 * 0   "MSROUTE1"
 * 8   u32 tokens file number     12  u32 sections S
 * 16  f64 offset[0] … offset[S]  (absolute; section k is bytes [offset[k], offset[k+1]), empty when equal)
 * …   the sections
 * ```
 */
import { CorruptArtifactError, InvalidInputError } from '../errors.js';

const MAGIC = 'MSROUTE1';
const HEADER_BYTES = 16;

/** Bytes of a routed object's header for `sections` sections (the first section starts here). */
export function routedHeaderBytes(sections: number): number {
  return HEADER_BYTES + 8 * (sections + 1);
}

/** Assemble one routed object from its sections (empty arrays for sections without rows). */
export function encodeRoutedObject(file: number, sections: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(file) || file < 0 || file > 0xffffffff) throw new InvalidInputError('file', `is ${file}; must be an integer in [0, 2^32)`);
  const header = routedHeaderBytes(sections.length);
  const total = sections.reduce((sum, section) => sum + section.length, header);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, file, true);
  view.setUint32(12, sections.length, true);
  let at = header;
  for (const [k, section] of sections.entries()) {
    view.setFloat64(HEADER_BYTES + 8 * k, at, true);
    out.set(section, at);
    at += section.length;
  }
  view.setFloat64(HEADER_BYTES + 8 * sections.length, at, true);
  return out;
}

/** The byte range of the header entries giving sections [first, first + count)'s bounds. */
export function sectionBoundsRange(first: number, count = 1): readonly [number, number] {
  return [HEADER_BYTES + 8 * first, HEADER_BYTES + 8 * (first + count + 1)];
}

/**
 * The byte range of sections [first, first + count) from the header entries read at
 * {@link sectionBoundsRange}; a short read or impossible bounds mean the object is truncated or
 * is not a routed object (CorruptArtifact naming it).
 */
export function sectionSpan(entries: Uint8Array, first: number, count: number, where: string): readonly [number, number] {
  if (entries.length !== 8 * (count + 1)) {
    throw new CorruptArtifactError(where, `ends inside its header (section ${first} of a routed object): truncated, or written for another plan; rerun Route`);
  }
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const start = view.getFloat64(0, true);
  const end = view.getFloat64(8 * count, true);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < routedHeaderBytes(first + count) || end < start) {
    throw new CorruptArtifactError(where, `has section bounds [${start}, ${end}) for section ${first}: not a routed object of this plan; rerun Route`);
  }
  return [start, end];
}

/** The header of a whole routed object: its tokens file and section count (tests, diagnostics). */
export function readRoutedHeader(bytes: Uint8Array, where: string): { file: number; sections: number } {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) throw new CorruptArtifactError(where, 'is not a routed object (no MSROUTE1 magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { file: view.getUint32(8, true), sections: view.getUint32(12, true) };
}
