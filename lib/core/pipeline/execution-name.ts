/**
 * One naming rule for pipeline executions, shared by the upload trigger (Lambda), `run --on aws`
 * and the local watcher: the name is a pure function of *which write* of `dataset.json` started the
 * run. Standard workflows refuse a second execution with a name already used, so a duplicated
 * S3 event (EventBridge delivers at least once) starts nothing new.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { canonicalJson, sha256Hex } from '../fingerprint.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';

/** The most characters Step Functions allows in an execution name. */
export const EXECUTION_NAME_MAX_LENGTH = 80;
/** Hex digits of the identity hash in a name: 128 bits, so distinct uploads never share a name in practice. */
export const EXECUTION_NAME_HASH_DIGITS = 32;
/** Versions the hashed identity: changing what is hashed is a new format, never a silent change. */
const NAMING_FORMAT = 'megashard-execution-name/1';
const SLUG_MAX_LENGTH = EXECUTION_NAME_MAX_LENGTH - 1 - EXECUTION_NAME_HASH_DIGITS;

/**
 * One write of an object: where it is (bucket, or the watched location for the local watcher),
 * and which write it was — the version id on a versioned bucket, else the ETag (plus the event's
 * sequencer when there is one).
 */
export const uploadedObjectSchema = z
  .object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().min(1).optional(),
    etag: z.string().min(1).optional(),
    sequencer: z.string().min(1).optional(),
  })
  .strict();

/** One write of an object (see {@link uploadedObjectSchema}). */
export type UploadedObject = z.infer<typeof uploadedObjectSchema>;

/**
 * The execution name of an upload: `<dataset folder>-<32 hex digits>`, only `[0-9A-Za-z_-]`, at
 * most 80 characters. The hex digits are a SHA-256 of the identity (bucket, key, and the version id
 * when there is one, else ETag and sequencer), so the name is deterministic and two different
 * uploads get different names; the folder part is only there for people reading a list.
 */
export function executionNameOf(upload: UploadedObject): string {
  const parsed = uploadedObjectSchema.safeParse(upload);
  if (!parsed.success) throw invalidInputFromZod('upload', parsed.error);
  return `${slugOf(parsed.data.key)}-${identityHash(parsed.data)}`;
}

/** SHA-256 of the canonical identity; a version id, when present, says everything about the write. */
function identityHash(upload: UploadedObject): string {
  const versionId = meaningfulVersion(upload.versionId);
  const etag = upload.etag === undefined ? undefined : normalizeEtag(upload.etag);
  if (versionId === undefined && etag === undefined) {
    throw new InvalidInputError('upload.etag', `s3://${upload.bucket}/${upload.key} has neither a version id nor an ETag; pass the one its upload reported`);
  }
  const write = versionId !== undefined ? { versionId } : { etag, sequencer: upload.sequencer ?? null };
  return sha256Hex(canonicalJson({ format: NAMING_FORMAT, bucket: upload.bucket, key: upload.key, write })).slice(0, EXECUTION_NAME_HASH_DIGITS);
}

/** S3 reports the version of an object written while versioning was off or suspended as "null". */
function meaningfulVersion(versionId: string | undefined): string | undefined {
  return versionId === undefined || versionId === 'null' ? undefined : versionId;
}

/**
 * HeadObject and PutObject quote the ETag (`"9b2cf…"`), S3's events do not: compare them bare.
 * A weak-validator prefix (`W/`) is dropped for the same reason.
 */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The dataset folder of a `…/<folder>/dataset.json` key, reduced to characters a name may hold. */
function slugOf(key: string): string {
  const folder = key
    .replace(/^datasets\//, '')
    .replace(/(^|\/)dataset\.json$/, '')
    .replace(/[^0-9A-Za-z_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  const cut = folder.slice(0, SLUG_MAX_LENGTH).replace(/[-_]+$/, '');
  return cut === '' ? 'dataset' : cut;
}

/** Whether a string is a name Step Functions accepts and CloudWatch logs keep as is. */
export function isValidExecutionName(name: string): boolean {
  return name.length >= 1 && name.length <= EXECUTION_NAME_MAX_LENGTH && /^[0-9A-Za-z_-]+$/.test(name);
}
