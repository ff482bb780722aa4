/**
 * Put a dataset where the deployed pipeline reads it — `s3://<bucket>/datasets/<name>/` — and say
 * which write of its dataset.json starts the run (the naming rule's input). A local folder is
 * validated, then uploaded with dataset.json last; a dataset already in the bucket is used as is.
 */
import { InvalidInputError, ObjectNotFoundError } from '../../core/errors.js';
import type { UploadedObject } from '../../core/pipeline/execution-name.js';
import { DATASET_FILE } from '../../core/pipeline/upload-event.js';
import { FsObjectStore } from '../../io/fs-store.js';
import type { S3ObjectStore } from '../../io/s3-store.js';
import { isS3Url, parseS3Url } from '../../io/split-url.js';
import { uploadFolder } from '../../io/upload-folder.js';
import { datasetFolderName } from '../pipeline/dataset-folder-name.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import type { RemoteTarget } from './remote-target.js';

/** A dataset in the pipeline's bucket, and the write of its dataset.json that starts its run. */
export interface StagedDataset {
  readonly upload: UploadedObject;
  /** Files uploaded (0 when the dataset was already in the bucket). */
  readonly uploadedFiles: number;
}

/** Options of {@link stageDataset}. */
export interface StageDatasetOptions {
  readonly target: RemoteTarget;
  /** The bucket's store under a key prefix ('' for the bucket root). */
  readonly openBucket: (prefix: string) => S3ObjectStore;
  /** Name under datasets/ (default: the folder's name). */
  readonly name?: string;
  /** Uploads in flight at once. */
  readonly concurrency?: number;
  readonly onFile?: (done: number, total: number) => void;
}

/** Upload a local dataset folder, or locate one already in the bucket (an s3:// URL). */
export async function stageDataset(location: string, options: StageDatasetOptions): Promise<StagedDataset> {
  return isS3Url(location) ? locateUploadedDataset(location, options) : uploadDatasetFolder(location, options);
}

async function uploadDatasetFolder(dir: string, options: StageDatasetOptions): Promise<StagedDataset> {
  // Validate first: a config error found after uploading gigabytes would waste the upload.
  await readDatasetConfig(new FsObjectStore(dir)).catch((error: unknown) => {
    if (error instanceof ObjectNotFoundError)
      throw new InvalidInputError(`${dir}/${DATASET_FILE}`, 'not found; a dataset folder holds dataset.json and its sources');
    throw error;
  });
  const name = options.name ?? datasetFolderName(dir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new InvalidInputError('--name', `"${name}" must be letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const prefix = `${options.target.datasetsPrefix}${name}`;
  const store = options.openBucket(prefix);
  const uploadedFiles = await uploadFolder(dir, store, DATASET_FILE, {
    concurrency: options.concurrency ?? 8,
    ...(options.onFile !== undefined ? { onFile: options.onFile } : {}),
  });
  return { upload: await uploadOf(store, options.target.bucket, `${prefix}/${DATASET_FILE}`), uploadedFiles };
}

async function locateUploadedDataset(url: string, options: StageDatasetOptions): Promise<StagedDataset> {
  const { bucket, prefix } = parseS3Url(url);
  const { target } = options;
  if (bucket !== target.bucket) {
    throw new InvalidInputError(
      'dataset',
      `${url} is outside the pipeline's bucket s3://${target.bucket}; the state machine reads only s3://${target.bucket}/${target.datasetsPrefix}…: copy it there, or pass the local folder to upload it`,
    );
  }
  const folder = prefix.endsWith(`/${DATASET_FILE}`) ? prefix.slice(0, -DATASET_FILE.length - 1) : prefix;
  if (!folder.startsWith(target.datasetsPrefix) || folder.length === target.datasetsPrefix.length) {
    throw new InvalidInputError('dataset', `${url} is not a dataset folder under s3://${bucket}/${target.datasetsPrefix}; uploads elsewhere start no run`);
  }
  const key = `${folder}/${DATASET_FILE}`;
  try {
    return { upload: await uploadOf(options.openBucket(''), bucket, key), uploadedFiles: 0 };
  } catch (error) {
    if (error instanceof ObjectNotFoundError)
      throw new InvalidInputError('dataset', `s3://${bucket}/${key} does not exist; upload the dataset folder (dataset.json last), or pass the local folder`);
    throw error;
  }
}

/** The write of `key` now in the bucket: its version id (the stack's bucket is versioned) and ETag. */
async function uploadOf(store: S3ObjectStore, bucket: string, key: string): Promise<UploadedObject> {
  const relative = store.prefix === '' ? key : key.slice(store.prefix.length + 1);
  const { etag, versionId } = await store.objectVersion(relative);
  return { bucket, key, ...(versionId !== undefined ? { versionId } : {}), ...(etag !== '' ? { etag } : {}) };
}
