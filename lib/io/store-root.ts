import { InvalidInputError } from '../core/errors.js';
import type { ObjectStore } from './object-store.js';
import { openStore } from './open-store.js';
import { isS3Url } from './split-url.js';

/**
 * The "bucket" the pipeline's tasks work in: states pass bucket-relative prefixes
 * (`datasets/<name>`, `runs/<id>`) and each task opens the store under one. On AWS it is the data
 * bucket; locally a folder or an s3:// prefix, with the dataset mounted wherever it really is.
 */
export interface StoreRoot {
  /** Where the root is, for messages. */
  readonly location: string;
  /** The store rooted at `prefix` ('' for the root itself). */
  openUnder(prefix: string): ObjectStore;
}

/** A plain, serializable description of a {@link MountedStoreRoot} (it crosses into worker threads). */
export interface StoreRootSpec {
  /** Folder or s3:// URL holding every prefix that is not mounted elsewhere. */
  readonly root: string;
  /** Prefixes that live at another location (e.g. `datasets/<name>` → the user's dataset folder). */
  readonly mounts: ReadonlyArray<{ readonly prefix: string; readonly location: string }>;
}

/** A root that is one location, plus mounted prefixes that live elsewhere. */
export class MountedStoreRoot implements StoreRoot {
  readonly location: string;

  constructor(readonly spec: StoreRootSpec) {
    this.location = spec.root;
    for (const mount of spec.mounts) {
      if (mount.prefix === '' || mount.prefix.startsWith('/') || mount.prefix.endsWith('/')) {
        throw new InvalidInputError('mount.prefix', `"${mount.prefix}" must be a non-empty relative prefix without leading or trailing "/"`);
      }
    }
  }

  openUnder(prefix: string): ObjectStore {
    for (const mount of this.spec.mounts) {
      if (prefix === mount.prefix) return openStore(mount.location);
      if (prefix.startsWith(`${mount.prefix}/`)) return openStore(joinLocation(mount.location, prefix.slice(mount.prefix.length + 1)));
    }
    return openStore(prefix === '' ? this.spec.root : joinLocation(this.spec.root, prefix));
  }
}

/** A location (folder or s3:// URL) extended by a '/'-separated relative key prefix. */
export function joinLocation(location: string, prefix: string): string {
  if (prefix === '') return location;
  const base = isS3Url(location) ? location.replace(/\/+$/, '') : location.replace(/[/\\]+$/, '');
  return `${base}/${prefix}`;
}
