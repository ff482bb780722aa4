import { dirname, basename } from 'node:path';
import { openStore } from '../io/open-store.js';
import type { ObjectStore } from '../io/object-store.js';

/** A file location as (store of its folder, key of the file). */
export function fileLocation(path: string): { store: ObjectStore; key: string } {
  return { store: openStore(dirname(path)), key: basename(path) };
}
