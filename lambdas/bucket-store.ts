import { openStore } from '../lib/io/open-store.js';
import type { ObjectStore } from '../lib/io/object-store.js';
import type { StoreRoot } from '../lib/io/store-root.js';
import { dataBucketName } from './env.js';

/** The store rooted at `prefix` of the pipeline's bucket (the bucket root when prefix is empty). */
export function openBucketStore(prefix: string): ObjectStore {
  return openStore(prefix === '' ? `s3://${dataBucketName()}` : `s3://${dataBucketName()}/${prefix}`);
}

/** The pipeline's bucket as the tasks' store root; the bucket name is read at each use, not at import. */
export const bucketRoot: StoreRoot = {
  get location() {
    return `s3://${dataBucketName()}`;
  },
  openUnder: openBucketStore,
};
