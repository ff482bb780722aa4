import { InvalidInputError } from '../core/errors.js';
import { FsObjectStore } from './fs-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';
import { isS3Url } from './split-url.js';

/**
 * The store behind a CLI location: `s3://bucket/prefix` opens the S3 adapter (on the process-wide
 * client, configured from the standard AWS environment), any other scheme is refused rather than
 * guessed at, and everything else is a folder.
 */
export function openStore(location: string): ObjectStore {
  if (isS3Url(location)) return new S3ObjectStore(location);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new InvalidInputError('location', `"${location}": unknown scheme; use a folder path or s3://bucket/prefix`);
  }
  return new FsObjectStore(location);
}
