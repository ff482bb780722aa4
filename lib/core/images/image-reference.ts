/**
 * Image references as records write them (`"00453/004539375.jpg"`) → object keys under the
 * dataset's image root, or the reason the record is rejected. A reference is data, not config: a
 * malformed one is one record's fault and must never reach a store, where a NUL byte is a raw
 * TypeError, `..` escapes the root and a leading `/` would be silently re-rooted.
 */
import { loneSurrogateProblem } from '../corpus/text-checks.js';

/** Longest object key (image root + '/' + reference) in UTF-8 bytes: S3's key limit. */
export const MAX_IMAGE_KEY_BYTES = 1024;
/** Longest path segment in UTF-8 bytes: the file-name limit of ext4, XFS, APFS and NTFS. */
export const MAX_IMAGE_SEGMENT_BYTES = 255;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const encoder = new TextEncoder();

/** `U+0000` style name of a code unit, for messages. */
function codePointName(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why the text of a reference cannot name a file (empty, control characters, lone surrogates). */
function textProblem(ref: string): string | undefined {
  if (ref === '') return 'empty image reference';
  const control = CONTROL_CHARACTER.exec(ref);
  if (control !== null) return `contains the control character ${codePointName(control[0])} at character ${control.index}; an image path is printable text`;
  return loneSurrogateProblem(ref) ?? undefined;
}

/** Why the path of a reference would leave the image root or name different objects on different stores. */
function pathProblem(ref: string, imageRoot: string): string | undefined {
  const scheme = SCHEME.exec(ref);
  if (scheme !== null) {
    return `is a URL (${scheme[0]}); download the images into the image root ("${imageRoot}") and reference them by relative path`;
  }
  if (ref.startsWith('/')) return `is absolute; image references are relative to the image root ("${imageRoot}"), so remove the leading '/'`;
  if (ref.includes('\\')) return "contains a backslash; separate folders with '/'";
  const segments = ref.split('/');
  if (segments.includes('..')) return `climbs out of the image root ("${imageRoot}") with ".."`;
  // A folder resolves "a//b" and "./a" while S3 keeps them literally: the same reference would
  // name different objects in a folder and in a bucket.
  if (segments.some((segment) => segment === '' || segment === '.')) return 'has an empty or "." path segment (a doubled, leading "./" or trailing \'/\')';
  const longest = segments.reduce((most, segment) => Math.max(most, encoder.encode(segment).length), 0);
  if (longest > MAX_IMAGE_SEGMENT_BYTES) return `has a path segment of ${longest} bytes, over the ${MAX_IMAGE_SEGMENT_BYTES}-byte limit of a file name`;
  return undefined;
}

/**
 * Why `ref` cannot be an image under `imageRoot`, or undefined when it can: empty, control
 * characters (NUL included), lone UTF-16 surrogates, a URL, absolute, a backslash, `..`, an empty
 * or `.` segment, a segment over 255 bytes, or a key over 1,024 bytes.
 */
export function imageReferenceProblem(ref: string, imageRoot: string): string | undefined {
  const problem = textProblem(ref) ?? pathProblem(ref, imageRoot);
  if (problem !== undefined) return problem;
  const keyBytes = encoder.encode(imageKeyOf(imageRoot, ref)).length;
  if (keyBytes > MAX_IMAGE_KEY_BYTES) return `is ${keyBytes} bytes long with the image root, over the ${MAX_IMAGE_KEY_BYTES}-byte limit of an object key`;
  return undefined;
}

/** The object key of a valid reference: `<imageRoot>/<ref>`. */
export function imageKeyOf(imageRoot: string, ref: string): string {
  return `${imageRoot}/${ref}`;
}
