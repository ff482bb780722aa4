import { link, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidInputError, ObjectNotFoundError, StorageError } from '../core/errors.js';
import { checkByteRange, firstAfter, sortByUtf8Key, type ListedObject, type ListedPage, type ObjectStore } from './object-store.js';

/** Error codes that mean "try again later" rather than "fix something". */
const TRANSIENT_CODES = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'ETIMEDOUT']);

/** The filesystem adapter: keys are paths under a root folder; writes go to a temp file, then rename. */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw this.translateRead(error, path);
    }
  }

  /** A positioned read through a file handle: only the requested bytes leave the disk. */
  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    checkByteRange(start, endExclusive);
    const path = this.pathOf(key);
    const buffer = new Uint8Array(endExclusive - start);
    let filled = 0;
    try {
      const handle = await open(path, 'r');
      try {
        // One positioned read may return less than asked; loop until full or end of file.
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw this.translateRead(error, path);
    }
    return buffer.subarray(0, filled);
  }

  async *streamRange(key: string, start: number, endExclusive: number): AsyncIterable<Uint8Array> {
    checkByteRange(start, endExclusive);
    const path = this.pathOf(key);
    // Opened before the first chunk so a missing file fails like getRange does.
    await this.getRange(key, start, start);
    if (start === endExclusive) return;
    try {
      for await (const chunk of createReadStream(path, { start, end: endExclusive - 1, highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
    } catch (error) {
      throw this.translate(error, path);
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, body);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw this.translate(error, path);
    }
  }

  /**
   * The whole body goes to a temporary file, then a hard link publishes it, which fails if the
   * name exists: exclusive like `open(…, 'wx')`, and no reader ever sees half a lock. File systems
   * without hard links get the `wx` create itself.
   */
  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const path = this.pathOf(key);
    const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, body);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw this.translate(error, path);
    }
    try {
      await link(temporary, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // The temporary was written, so the folder is writable: EPERM here means no hard links.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return this.createExclusive(path, body);
      throw this.translate(error, path);
    } finally {
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }

  private async createExclusive(path: string, body: Uint8Array | string): Promise<boolean> {
    try {
      await writeFile(path, body, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.translate(error, path);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async size(key: string): Promise<number> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new ObjectNotFoundError(path, 'folder');
      return info.size;
    } catch (error) {
      throw error instanceof ObjectNotFoundError ? error : this.translateRead(error, path);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix === '' ? '.' : prefix);
    const found: string[] = [];
    // Keys are built by joining names onto the folder's key: path calls per file cost more than
    // the readdir itself on a folder of 160K images.
    const walk = async (dir: string, dirKey: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
        if (entry.isDirectory()) await walk(join(dir, entry.name), key);
        else if (!entry.name.includes('.tmp-')) found.push(key);
      }
    };
    await walk(base, relative(this.location, base).split(sep).join('/'));
    return found.sort();
  }

  /** A stretch of the files under a prefix in UTF-8 byte order, a stat for each file in it only. */
  async listSizesPage(prefix: string, startAfter: string | undefined, maxKeys: number): Promise<ListedPage> {
    const keys = sortByUtf8Key(await this.list(prefix), (key) => key);
    const from = firstAfter(keys, (key) => key, startAfter);
    const page = keys.slice(from, from + maxKeys);
    const objects = await Promise.all(page.map(async (key) => ({ key, bytes: (await stat(this.pathOf(key))).size })));
    return { objects, more: from + maxKeys < keys.length };
  }

  /** Files under a prefix with their sizes (a stat each: local, cheap). */
  async listSizes(prefix: string): Promise<ListedObject[]> {
    const keys = await this.list(prefix);
    return Promise.all(keys.map(async (key) => ({ key, bytes: (await stat(this.pathOf(key))).size })));
  }

  /** Remove the files (absent ones are skipped); emptied folders stay, as S3 has none to remove. */
  async deleteAll(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const path = this.pathOf(key);
      await rm(path, { force: true }).catch((error: unknown) => {
        throw this.translate(error, path);
      });
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    const entries = await readdir(this.pathOf(prefix === '' ? '.' : prefix), { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }

  /**
   * Delete temporary files under `prefix` that a killed writer left behind (`put` writes
   * `<key>.tmp-<random>` and renames it). Only call it when nothing else writes there.
   */
  async removeTemporaries(prefix = ''): Promise<number> {
    const base = this.pathOf(prefix === '' ? '.' : prefix);
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.includes('.tmp-')) {
          await rm(full, { force: true });
          removed += 1;
        }
      }
    };
    await walk(base);
    return removed;
  }

  /** Resolve a key under the root, refusing keys that would escape it. */
  private pathOf(key: string): string {
    const path = resolve(this.location, key);
    if (path !== this.location && !path.startsWith(this.location + sep)) {
      throw new InvalidInputError('key', `"${key}" points outside ${this.location}`);
    }
    return path;
  }

  /**
   * Reading a key that names a folder, or that runs through a file (`a.jpg/b.jpg`), finds no
   * object: ObjectNotFound, as S3 answers for the same key; for a write it stays a storage failure.
   */
  private translateRead(error: unknown, path: string): Error {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EISDIR') return new ObjectNotFoundError(path, 'folder');
    if (code === 'ENOTDIR') return new ObjectNotFoundError(path);
    return this.translate(error, path);
  }

  private translate(error: unknown, path: string): Error {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return new ObjectNotFoundError(path);
    if (code === 'EACCES' || code === 'EPERM') return new StorageError(path, 'permission denied; check the folder is writable by this user');
    if (code === 'EROFS') return new StorageError(path, 'the file system is read-only; choose a writable --out');
    if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError(path, 'no space left on the device; free space or choose another --out');
    if (code === 'EISDIR' || code === 'ENOTDIR') return new StorageError(path, 'a folder and a file have the same name');
    if (TRANSIENT_CODES.has(code)) return new StorageError(path, `${code}: try again`, true);
    return error instanceof Error ? error : new Error(String(error));
  }
}
