import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { MegashardError, ObjectNotFoundError, StorageError } from '../core/errors.js';
import { checkByteRange, type ListedObject, type ListedPage, type ObjectStore } from './object-store.js';
import { checkKeySegments, parseS3Url } from './split-url.js';

/** The SDK module, loaded on first use: local runs never touch S3, and loading it costs ~0.2 s. */
type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Sdk> | undefined;
function loadSdk(): Promise<S3Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3'));
}

/**
 * Client settings on top of what the SDK reads from the standard AWS environment itself (region:
 * `AWS_REGION`; credentials: the default chain — env keys, profile, SSO, Lambda role; endpoint:
 * `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`).
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return {
    // A custom endpoint (s3rver, MinIO, a VPC endpoint) rarely resolves `<bucket>.<host>` names:
    // `localhost` becomes `bucket.localhost` and fails DNS. Path style works on all of them.
    forcePathStyle: endpoint !== undefined && endpoint !== '',
    // Since 3.729 the SDK adds CRC32 checksums by default and sends streamed bodies as
    // `aws-chunked` with a trailer; S3-compatible servers that do not speak it (s3rver) store the
    // framing as the object's bytes, silently. WHEN_REQUIRED is the SDK's pre-3.729 behaviour and
    // is safe on AWS: TLS protects the transfer, and every plan file's sha256 is in its manifest.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** One client per process (connection reuse; credentials resolved once), built on first use. */
let sharedClient: Promise<S3Client> | undefined;

/** The process-wide client that stores without an injected client use. */
export function defaultS3Client(): Promise<S3Client> {
  return (sharedClient ??= loadSdk().then((loaded) => new loaded.S3Client(s3ClientConfig())));
}

/** Replace the process-wide client (tests), or drop it so the next use rebuilds it from the environment. */
export function setDefaultS3Client(client: S3Client | undefined): void {
  sharedClient = client === undefined ? undefined : Promise.resolve(client);
}

/** Options of an S3ObjectStore. */
export interface S3ObjectStoreOptions {
  /** The client to use; defaults to the process-wide one (defaultS3Client). */
  readonly client?: S3Client;
}

/**
 * The S3 adapter: keys live under the URL's prefix in its bucket. Objects are written with one
 * PutObject, which S3 applies atomically (readers see the old object or the new one, never a
 * part). `list(prefix)` matches the prefix as a string, as S3 does: pass `dir/` for a folder.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly bucket: string;
  /** Key prefix of this store without slashes at either end; '' for the bucket root. */
  readonly prefix: string;
  private readonly client: S3Client | undefined;

  constructor(url: string, options: S3ObjectStoreOptions = {}) {
    const parsed = parseS3Url(url);
    this.bucket = parsed.bucket;
    this.prefix = parsed.prefix;
    this.location = this.prefix === '' ? `s3://${this.bucket}` : `s3://${this.bucket}/${this.prefix}`;
    this.client = options.client;
  }

  async get(key: string): Promise<Uint8Array> {
    const objectKey = this.objectKey(key);
    return this.call(objectKey, async (client, s3) => {
      const response = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return readBody(response.Body);
    });
  }

  /** A ranged GetObject: image headers are read without fetching whole objects. */
  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    checkByteRange(start, endExclusive);
    const objectKey = this.objectKey(key);
    // HTTP has no empty range; the contract still wants ObjectNotFoundError for a missing object.
    if (start === endExclusive) return this.size(key).then(() => new Uint8Array(0));
    return this.call(objectKey, async (client, s3) => {
      try {
        const response = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=${start}-${endExclusive - 1}` }));
        const body = await readBody(response.Body);
        // A server that ignores Range answers 200 with the whole object; cut it here.
        return response.ContentRange === undefined ? body.subarray(Math.min(start, body.length), Math.min(endExclusive, body.length)) : body;
      } catch (error) {
        // 416: the range starts at or past the end (an empty object has no satisfiable range).
        if (errorName(error) === 'InvalidRange' || httpStatus(error) === 416) return new Uint8Array(0);
        throw error;
      }
    });
  }

  async *streamRange(key: string, start: number, endExclusive: number): AsyncIterable<Uint8Array> {
    checkByteRange(start, endExclusive);
    if (start === endExclusive) {
      await this.size(key);
      return;
    }
    const objectKey = this.objectKey(key);
    const where = `s3://${this.bucket}/${objectKey}`;
    const response = await this.call(objectKey, (client, s3) =>
      client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=${start}-${endExclusive - 1}` })),
    );
    // A server that ignores Range streams the whole object from byte 0: skip and cut here.
    let position = response.ContentRange === undefined ? 0 : start;
    try {
      for await (const chunk of (response.Body ?? []) as AsyncIterable<Uint8Array>) {
        const from = Math.max(start - position, 0);
        const to = Math.min(endExclusive - position, chunk.length);
        position += chunk.length;
        if (to > from) yield from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
        if (position >= endExclusive) break;
      }
    } catch (error) {
      // The connection dropped mid-body: the same transient failure a retry of the request cures.
      throw translateS3Error(error, where);
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const objectKey = this.objectKey(key);
    // A byte body with its length: the SDK sends it in one request, no chunked encoding.
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    await this.call(objectKey, (client, s3) =>
      client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: bytes, ContentLength: bytes.length })),
    );
  }

  /**
   * PutObject with `If-None-Match: *`: S3 writes only if the key holds no object and answers 412
   * otherwise. (A server that ignores the header, like s3rver, overwrites: use one that honours
   * conditional writes, as AWS S3 does since 2024, wherever a lock matters.)
   */
  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return this.call(objectKey, async (client, s3) => {
      try {
        await client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: bytes, ContentLength: bytes.length, IfNoneMatch: '*' }));
        return true;
      } catch (error) {
        if (errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412) return false;
        throw error;
      }
    });
  }

  /** Size, ETag and version id of an object (what identifies this write of it); ObjectNotFoundError if absent. */
  async objectVersion(key: string): Promise<{ readonly bytes: number; readonly etag: string; readonly versionId?: string }> {
    const head = await this.head(key);
    return { bytes: head.ContentLength ?? 0, etag: head.ETag ?? '', ...(head.VersionId !== undefined ? { versionId: head.VersionId } : {}) };
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
  }

  async size(key: string): Promise<number> {
    return (await this.head(key)).ContentLength ?? 0;
  }

  /** Every page of ListObjectsV2 (1,000 keys each), keys relative to this store, ascending. */
  async list(prefix: string): Promise<string[]> {
    if (prefix !== '') checkKeySegments(prefix.replace(/\/$/, ''), 'prefix');
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    return this.call(root + prefix, async (client, s3) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }),
        );
        for (const { Key } of page.Contents ?? []) {
          // Keys ending in '/' are the console's empty "folder" markers, not objects.
          if (Key !== undefined && !Key.endsWith('/')) keys.push(Key.slice(root.length));
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      // S3 orders by UTF-8 bytes; sort as the other adapters do so every store agrees.
      return keys.sort();
    });
  }

  /** Every ListObjectsV2 page with each key's Size (the same requests as list()). */
  async listSizes(prefix: string): Promise<ListedObject[]> {
    if (prefix !== '') checkKeySegments(prefix.replace(/\/$/, ''), 'prefix');
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    return this.call(root + prefix, async (client, s3) => {
      const listed: ListedObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }),
        );
        for (const { Key, Size } of page.Contents ?? [])
          if (Key !== undefined && !Key.endsWith('/')) listed.push({ key: Key.slice(root.length), bytes: Size ?? 0 });
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return listed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  /** ListObjectsV2 from StartAfter, pages of up to 1,000 keys until `maxKeys` objects (S3's byte order kept). */
  async listSizesPage(prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage> {
    if (prefix !== '') checkKeySegments(prefix.replace(/\/$/, ''), 'prefix');
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    return this.call(root + prefix, async (client, s3) => {
      const objects: ListedObject[] = [];
      let token: string | undefined;
      let more = true;
      while (more && objects.length < maxKeys) {
        const page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: root + prefix,
            MaxKeys: Math.min(1000, maxKeys - objects.length),
            ...(token === undefined ? (startAfter === undefined ? {} : { StartAfter: root + startAfter }) : { ContinuationToken: token }),
          }),
        );
        for (const { Key, Size } of page.Contents ?? [])
          if (Key !== undefined && !Key.endsWith('/')) objects.push({ key: Key.slice(root.length), bytes: Size ?? 0 });
        more = page.IsTruncated === true;
        token = page.NextContinuationToken;
      }
      return { objects, more };
    });
  }

  /** DeleteObjects, 1,000 keys a request (S3's limit); a key that is already gone is not an error. */
  async deleteAll(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const objects = keys.slice(start, start + 1000).map((key) => ({ Key: this.objectKey(key) }));
      await this.call(objects[0]!.Key, async (client, s3) => {
        const answer = await client.send(new s3.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }));
        const failed = answer.Errors?.[0];
        if (failed !== undefined)
          throw new StorageError(`s3://${this.bucket}/${failed.Key ?? ''}`, `DeleteObjects: ${failed.Code ?? 'error'}: ${failed.Message ?? ''}`);
      });
    }
  }

  /** ListObjectsV2 with Delimiter '/': the folder level under `prefix` only, every page. */
  async listFolders(prefix: string): Promise<string[]> {
    if (prefix !== '') checkKeySegments(prefix.replace(/\/$/, ''), 'prefix');
    const root = `${this.prefix === '' ? '' : `${this.prefix}/`}${prefix}`;
    return this.call(root, async (client, s3) => {
      const folders: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: root, Delimiter: '/', ...(token === undefined ? {} : { ContinuationToken: token }) }),
        );
        for (const { Prefix } of page.CommonPrefixes ?? []) {
          if (Prefix !== undefined && Prefix.length > root.length + 1) folders.push(Prefix.slice(root.length, -1));
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return folders.sort();
    });
  }

  private head(key: string) {
    const objectKey = this.objectKey(key);
    return this.call(objectKey, (client, s3) => client.send(new s3.HeadObjectCommand({ Bucket: this.bucket, Key: objectKey })));
  }

  /** The bucket key of a store key, refusing keys a folder would resolve differently. */
  private objectKey(key: string): string {
    checkKeySegments(key, 'key');
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  /** Run one S3 call (body reads included, so dropped connections mid-body are translated too). */
  private async call<T>(objectKey: string, run: (client: S3Client, s3: S3Sdk) => Promise<T>): Promise<T> {
    const [s3, client] = await Promise.all([loadSdk(), this.client ?? defaultS3Client()]);
    try {
      return await run(client, s3);
    } catch (error) {
      throw translateS3Error(error, `s3://${this.bucket}/${objectKey}`);
    }
  }
}

async function readBody(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Uint8Array> {
  return body === undefined ? new Uint8Array(0) : body.transformToByteArray();
}

/** Error names that mean "try again later" (the SDK has already retried them a few times). */
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
]);
/** Socket errors worth a retry: the network or the endpoint hiccupped. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled']);

/**
 * Map an SDK error to the project's typed errors, so Step Functions retries only what may pass
 * (StorageTransient) and the CLI names the object. Unknown non-S3 errors pass through: they are bugs.
 */
export function translateS3Error(error: unknown, location: string): Error {
  if (error instanceof MegashardError) return error;
  const name = errorName(error);
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (name === 'NoSuchBucket') return new StorageError(location, 'the bucket does not exist; check the s3:// URL');
  // Another conditional write to the key is in flight: S3 asks to try again.
  if (name === 'ConditionalRequestConflict' || name === 'OperationAborted')
    return new StorageError(location, `${name}: a concurrent conditional write; try again`, true);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new ObjectNotFoundError(location);
  if (DENIED_NAMES.has(name) || status === 403) {
    // Without s3:ListBucket, S3 answers 403 rather than 404 for a missing key.
    return new StorageError(location, `${name || 'HTTP 403'}: access denied; check the credentials, and that the role may read (and list) the bucket`);
  }
  const retryable = (error as { $retryable?: unknown } | null)?.$retryable !== undefined;
  if (
    TRANSIENT_NAMES.has(name) ||
    (typeof code === 'string' && TRANSIENT_CODES.has(code)) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    retryable
  ) {
    return new StorageError(location, `${name || String(code)}: ${message}; try again`, true);
  }
  if (name === 'CredentialsProviderError') return new StorageError(location, `no AWS credentials found (${message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID`);
  if (/region is missing/i.test(message)) return new StorageError(location, 'no AWS region; set AWS_REGION');
  if (status !== undefined) return new StorageError(location, `${name || `HTTP ${status}`}: ${message}`);
  return error instanceof Error ? error : new Error(String(error));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
