import { openStore } from '../lib/io/open-store.js';
import type { ObjectStore } from '../lib/io/object-store.js';
import { dataBucketName } from './env.js';

/** The store rooted at `prefix` of the pipeline's bucket (the bucket root when prefix is empty). */
export function openBucketStore(prefix: string): ObjectStore {
  return openStore(prefix === '' ? `s3://${dataBucketName()}` : `s3://${dataBucketName()}/${prefix}`);
}

/** A key of the bucket from a key relative to a store's prefix (what states pass around). */
export function bucketKey(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}/${key}`;
}
