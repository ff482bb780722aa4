/**
 * What the local watcher sees in one poll: each dataset folder directly under the watched location
 * (and the location itself) whose `dataset.json` exists, named by the same rule as the upload
 * trigger. The "which write" of a file here is its SHA-256, so saving the same bytes again is no
 * change, and any edit is a new execution.
 */
import { sha256Hex } from '../../core/fingerprint.js';
import { ObjectNotFoundError } from '../../core/errors.js';
import { executionNameOf, type UploadedObject } from '../../core/pipeline/execution-name.js';
import { DATASET_FILE } from '../../core/pipeline/upload-event.js';
import { listFoldersOf, type ObjectStore } from '../../io/object-store.js';
import { isS3Url, parseS3Url } from '../../io/split-url.js';
import { joinLocation } from '../../io/store-root.js';

/** One dataset found by a scan. */
export interface FoundDataset {
  /** The dataset folder (a path or s3:// URL): what the local runner runs. */
  readonly location: string;
  /** Its dataset.json relative to the watched location (`<folder>/dataset.json`, or `dataset.json`). */
  readonly key: string;
  readonly upload: UploadedObject;
  readonly executionName: string;
}

/**
 * Scan the watched store: one listing of the folder level (ListObjectsV2 with a delimiter on S3,
 * readdir locally — never the images below), then one read of each dataset.json. Sorted by key.
 */
export async function scanDatasets(watched: ObjectStore): Promise<FoundDataset[]> {
  const keys = [DATASET_FILE, ...(await listFoldersOf(watched, '')).map((folder) => `${folder}/${DATASET_FILE}`)];
  const found: FoundDataset[] = [];
  for (const key of keys) {
    let bytes: Uint8Array;
    try {
      bytes = await watched.get(key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) continue;
      throw error;
    }
    const upload = uploadOf(watched.location, key, sha256Hex(bytes));
    const folder = key.slice(0, -DATASET_FILE.length).replace(/\/$/, '');
    found.push({ location: joinLocation(watched.location, folder), key, upload, executionName: executionNameOf(upload) });
  }
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The identity the naming rule hashes: bucket and full key on S3, the folder itself locally. */
function uploadOf(location: string, key: string, sha256: string): UploadedObject {
  if (!isS3Url(location)) return { bucket: location, key, etag: sha256 };
  const { bucket, prefix } = parseS3Url(location);
  return { bucket, key: prefix === '' ? key : `${prefix}/${key}`, etag: sha256 };
}
