import { InvalidInputError } from '../core/errors.js';
import { FsObjectStore } from './fs-store.js';
import type { ObjectStore } from './object-store.js';

/**
 * The store behind a CLI location. Folders today; `s3://bucket/prefix` is refused with a clear
 * message until the S3 adapter lands (issue 4), rather than guessed at.
 */
export function openStore(location: string): ObjectStore {
  if (/^s3:\/\//i.test(location)) {
    throw new InvalidInputError('location', `"${location}": S3 locations are not supported by this build yet; use a local folder`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new InvalidInputError('location', `"${location}": unknown scheme; use a folder path`);
  }
  return new FsObjectStore(location);
}
