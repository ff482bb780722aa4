import { openStore } from '../io/open-store.js';
import type { ObjectStore } from '../io/object-store.js';
import { splitObjectUrl } from '../io/split-url.js';

/** A file location (a path or `s3://bucket/key`) as (store of its folder, key of the file). */
export function fileLocation(location: string): { store: ObjectStore; key: string } {
  const { storeLocation, key } = splitObjectUrl(location);
  return { store: openStore(storeLocation), key };
}
