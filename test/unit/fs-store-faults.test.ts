/**
 * A full disk, a read-only file system or a refused permission, as the filesystem adapter meets
 * them mid-write: a StorageFailed naming the path and what to do, and nothing published — neither
 * the object nor its temporary file. The errors are injected at node:fs/promises (this machine's
 * tests run as root, which no chmod stops).
 */
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../lib/core/errors.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const failures = vi.hoisted(() => ({ next: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    // Write part of the body, then fail as the device would.
    writeFile: async (path: string, data: Uint8Array | string) => {
      const code = failures.next;
      if (code === undefined) return fs.writeFile(path, data);
      failures.next = undefined;
      await fs.writeFile(path, typeof data === 'string' ? data.slice(0, 3) : data.subarray(0, 3));
      throw Object.assign(new Error(`${code}: simulated`), { code });
    },
  };
});

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('fs-faults');
});
afterAll(() => removeTempDir(tmp));

describe('FsObjectStore faults', () => {
  it.each([
    ['ENOSPC', 'no space left on the device'],
    ['EDQUOT', 'no space left on the device'],
    ['EROFS', 'read-only'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
  ])('%s while writing: StorageFailed naming the path (%s), nothing left behind', async (code, advice) => {
    const store = new FsObjectStore(tmp);
    failures.next = code;
    const error = await store.put(`runs/${code}/tokens/part.arrow`, new Uint8Array(1000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).name).toBe('StorageFailed');
    expect((error as StorageError).message).toContain(`${tmp}/runs/${code}/tokens/part.arrow`);
    expect((error as StorageError).message).toContain(advice);
    expect(await readdir(`${tmp}/runs/${code}/tokens`)).toEqual([]);
    expect(await store.exists(`runs/${code}/tokens/part.arrow`)).toBe(false);
  });

  it('removeTemporaries deletes what a killed writer left, and nothing else', async () => {
    const store = new FsObjectStore(`${tmp}/sweep`);
    await store.put('a/kept.json', '{}');
    const { writeFile } = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    await writeFile(`${tmp}/sweep/a/kept.json.tmp-0a1b2c`, '{');
    expect(await store.removeTemporaries()).toBe(1);
    expect(await listFilesUnder(`${tmp}/sweep`)).toEqual(['a/kept.json']);
  });
});
