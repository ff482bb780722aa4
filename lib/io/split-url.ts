import { basename, dirname } from 'node:path';
import { InvalidInputError } from '../core/errors.js';

/** An `s3://bucket/prefix` location, split and validated. */
export interface S3Url {
  readonly bucket: string;
  /** Key prefix without leading or trailing slashes; '' for the bucket root. */
  readonly prefix: string;
}

/** Whether a location is an S3 URL (the scheme is case-insensitive, as in URLs generally). */
export function isS3Url(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

/**
 * Parse `s3://bucket/prefix`. The prefix is taken literally (no percent-decoding), as the AWS CLI
 * does, and trailing slashes are dropped so `s3://b/runs/` and `s3://b/runs` name the same store.
 */
export function parseS3Url(location: string): S3Url {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(location);
  if (!match) throw new InvalidInputError('location', `"${location}": not an S3 URL; use s3://bucket/prefix`);
  const bucket = match[1] ?? '';
  checkBucketName(bucket, location);
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '') checkKeySegments(prefix, 'location', location);
  return { bucket, prefix };
}

/**
 * Reject bucket names S3 would refuse, here rather than as an opaque HTTP 400 later: 3–63
 * characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or
 * digit, no `..`, and not shaped like an IP address.
 */
export function checkBucketName(bucket: string, location: string): void {
  const problem =
    bucket === ''
      ? 'has no bucket name'
      : !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)
        ? `bucket "${bucket}" must be 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit`
        : bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
          ? `bucket "${bucket}" must not contain ".." or look like an IP address`
          : undefined;
  if (problem !== undefined) throw new InvalidInputError('location', `"${location}" ${problem}; use s3://bucket/prefix`);
}

/**
 * Reject keys with empty, `.` or `..` segments. A folder resolves them (`a/../b` is `b`) while S3
 * stores them literally, so the same key would name different objects on the two adapters.
 */
export function checkKeySegments(key: string, field: string, shown: string = key): void {
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new InvalidInputError(field, `"${shown}" has an empty, "." or ".." path segment`);
  }
}

/**
 * A file location as (location of its store, key of the file in it), for folders and S3 URLs
 * alike. `node:path` alone would turn `s3://bucket` into the folder `s3:` and a file named
 * `bucket`; here an S3 URL must name an object under its bucket.
 */
export function splitObjectUrl(location: string): { storeLocation: string; key: string } {
  if (!isS3Url(location)) return { storeLocation: dirname(location), key: basename(location) };
  const { bucket, prefix } = parseS3Url(location);
  if (prefix === '') throw new InvalidInputError('location', `"${location}" names a bucket, not an object; use s3://bucket/path/to/file`);
  const slash = prefix.lastIndexOf('/');
  return {
    storeLocation: slash < 0 ? `s3://${bucket}` : `s3://${bucket}/${prefix.slice(0, slash)}`,
    key: prefix.slice(slash + 1),
  };
}
