import { basename } from 'node:path';
import { isS3Url, parseS3Url } from '../../io/split-url.js';

/**
 * The name a dataset gets under `datasets/` in the pipeline's bucket: its folder's (or s3:// prefix's)
 * last segment, reduced to characters safe in a key and in an execution name.
 */
export function datasetFolderName(location: string): string {
  const last = isS3Url(location) ? (parseS3Url(location).prefix.split('/').pop() ?? '') : basename(location.replace(/[/\\]+$/, ''));
  const safe = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return safe === '' ? 'dataset' : safe;
}
