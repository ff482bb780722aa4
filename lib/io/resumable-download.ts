/**
 * Download one object to a local file in bounded ranged reads, hashing while streaming, resumable:
 * bytes land in `<out>.part`, which a later call continues from its length (after hashing what is
 * there), and the file takes its final name only once the whole sha256 matches.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CorruptArtifactError, InvalidInputError, MegashardError, StorageError } from '../core/errors.js';
import type { ObjectStore } from './object-store.js';

/** Default size of one ranged read: large enough that request overhead is noise, small enough to bound memory. */
export const DEFAULT_BYTES_PER_READ = 8 * 1024 * 1024;
/** Default ranged reads in flight: the next chunks travel while the current one is hashed and written. */
export const DEFAULT_READS_IN_FLIGHT = 3;

/** What to download and how to recognise it. */
export interface ResumableDownload {
  readonly store: ObjectStore;
  readonly key: string;
  /** Local destination; bytes go to `<out>.part` until verified. */
  readonly out: string;
  /** Expected size and sha256 (lowercase hex), from a manifest. */
  readonly bytes: number;
  readonly sha256: string;
  /** Names the object in errors (`epoch 0 rank 3 (s3://…/rank-00003.arrow)`). */
  readonly label: string;
  readonly bytesPerRead?: number;
  readonly readsInFlight?: number;
  /** Called after each chunk is written, with the bytes now in the file. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** How a download went. */
export interface DownloadOutcome {
  /** The out file existed with the expected sha256: nothing was fetched. */
  readonly alreadyComplete: boolean;
  /** Bytes of an existing `.part` that were kept (0 for a fresh download). */
  readonly resumedFromBytes: number;
  /** Bytes fetched from the store by this call. */
  readonly fetchedBytes: number;
}

/** Download `key` to `out`, verified against the expected size and sha256 (see the module comment). */
export async function downloadResumable(request: ResumableDownload): Promise<DownloadOutcome> {
  checkNumbers(request);
  try {
    return await download(request);
  } catch (error) {
    throw localFileError(error, request.out);
  }
}

async function download(request: ResumableDownload): Promise<DownloadOutcome> {
  const { out, bytes, sha256 } = request;
  if ((await fileSize(out)) === bytes && (await hashFile(out, createHash('sha256'))).digest('hex') === sha256) {
    return { alreadyComplete: true, resumedFromBytes: 0, fetchedBytes: 0 };
  }
  const part = `${out}.part`;
  await mkdir(dirname(out), { recursive: true });
  let kept = (await fileSize(part)) ?? 0;
  // A part longer than the object cannot be a prefix of it: start over.
  if (kept > bytes) {
    await rm(part, { force: true });
    kept = 0;
  }
  const hash = kept > 0 ? await hashFile(part, createHash('sha256')) : createHash('sha256');
  await appendRanges(request, part, kept, hash);
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    await rm(part, { force: true });
    const cause =
      kept > 0
        ? `${kept} of them were kept from an earlier ${part}, which may be what is wrong: pull again`
        : 'the stored file differs from what its manifest lists';
    throw new CorruptArtifactError(request.label, `sha256 of the ${bytes} bytes is ${actual}; the manifest says ${sha256}. Deleted ${part}; ${cause}`);
  }
  await rename(part, out);
  return { alreadyComplete: false, resumedFromBytes: kept, fetchedBytes: bytes - kept };
}

function checkNumbers(request: ResumableDownload): void {
  const { bytesPerRead = DEFAULT_BYTES_PER_READ, readsInFlight = DEFAULT_READS_IN_FLIGHT } = request;
  if (!Number.isSafeInteger(bytesPerRead) || bytesPerRead < 1) throw new InvalidInputError('bytesPerRead', `is ${bytesPerRead}; must be an integer ≥ 1`);
  if (!Number.isSafeInteger(readsInFlight) || readsInFlight < 1) throw new InvalidInputError('readsInFlight', `is ${readsInFlight}; must be an integer ≥ 1`);
}

/**
 * Fetch [from, bytes) and hash + append it strictly in order, one write in flight (on libuv's
 * thread pool) while the next chunk is hashed, so the part file is always a prefix of the object:
 * an interruption leaves something to resume. Where the store can stream, the bytes come in one
 * request (a plain GetObject's cost plus the hash); otherwise in bounded ranged reads.
 */
async function appendRanges(request: ResumableDownload, part: string, from: number, hash: Hash): Promise<void> {
  const { store, key, bytes, label } = request;
  const chunks = store.streamRange !== undefined ? store.streamRange(key, from, bytes) : rangedChunks(request, from);
  const handle = await open(part, 'a');
  let writing: Promise<void> = Promise.resolve();
  let received = from;
  let written = from;
  try {
    for await (const chunk of chunks) {
      received += chunk.length;
      if (received > bytes) throw new CorruptArtifactError(label, `came back longer than the ${bytes} bytes its manifest lists`);
      hash.update(chunk);
      await writing;
      writing = writeAll(handle, chunk).then(() => {
        written += chunk.length;
        request.onProgress?.(written, bytes);
      });
      writing.catch(() => undefined);
    }
    await writing;
  } finally {
    await writing.catch(() => undefined);
    await handle.close();
  }
  if (received !== bytes) {
    throw new CorruptArtifactError(label, `came back as ${received} of ${bytes} bytes: the stored file is shorter than its manifest says`);
  }
}

/** [from, bytes) in ranged reads of bytesPerRead, readsInFlight ahead, yielded in order. */
async function* rangedChunks(request: ResumableDownload, from: number): AsyncIterable<Uint8Array> {
  const { store, key, bytes, label, bytesPerRead = DEFAULT_BYTES_PER_READ, readsInFlight = DEFAULT_READS_IN_FLIGHT } = request;
  const pending: Array<Promise<Uint8Array>> = [];
  let next = from;
  const launch = (): void => {
    const start = next;
    next = Math.min(bytes, start + bytesPerRead);
    const read = readExactly(store, key, start, next, label);
    // Awaited in order below; this only keeps a failure of a read still queued from being reported as unhandled.
    read.catch(() => undefined);
    pending.push(read);
  };
  while (pending.length < readsInFlight && next < bytes) launch();
  while (pending.length > 0) {
    const chunk = await pending.shift()!;
    while (pending.length < readsInFlight && next < bytes) launch();
    yield chunk;
  }
}

async function readExactly(store: ObjectStore, key: string, start: number, end: number, label: string): Promise<Uint8Array> {
  const chunk = await store.getRange(key, start, end);
  if (chunk.length !== end - start) {
    throw new CorruptArtifactError(label, `bytes [${start}, ${end}) came back as ${chunk.length} bytes: the stored file is shorter than its manifest says`);
  }
  return chunk;
}

/**
 * Measured on this project's machine: 1 MiB writes run at page-cache speed, while single 8 MiB
 * writes are several times slower and erratic; so a chunk is written in 1 MiB slices.
 */
const BYTES_PER_WRITE = 1024 * 1024;

async function writeAll(handle: Awaited<ReturnType<typeof open>>, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    written += (await handle.write(chunk, written, Math.min(BYTES_PER_WRITE, chunk.length - written))).bytesWritten;
  }
}

/** Feed a local file through a hash (streamed: parts can be gigabytes). */
async function hashFile(path: string, hash: Hash): Promise<Hash> {
  for await (const chunk of createReadStream(path, { highWaterMark: DEFAULT_BYTES_PER_READ })) hash.update(chunk as Buffer);
  return hash;
}

/** Local filesystem failures (not store errors, which are typed already) as StorageErrors naming the file. */
function localFileError(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof MegashardError || typeof code !== 'string') return error;
  const advice: Record<string, string> = {
    EACCES: 'permission denied; choose an --out the user may write',
    EPERM: 'permission denied; choose an --out the user may write',
    ENOSPC: 'no space left on the device; free space or choose another --out',
    EISDIR: 'is a folder; --out must name a file',
    ENOTDIR: 'a parent of --out is a file, not a folder',
  };
  return new StorageError(out, advice[code] ?? `${code}: ${(error as Error).message}`, code === 'EAGAIN' || code === 'EBUSY');
}

/** A regular file's size, or undefined when there is none. */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
