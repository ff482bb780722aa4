import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from './object-store.js';

/** Options of {@link uploadFolder}. */
export interface UploadFolderOptions {
  /** Files in flight at once (the held-back last key always goes alone, after all the others). */
  readonly concurrency?: number;
  /** Told after each file is stored: how many are done, of how many. */
  readonly onFile?: (done: number, total: number) => void;
}

/**
 * Copy every file under `dir` into `store` under the same relative keys, in sorted order, holding
 * `lastKey` back until everything else is in: for a dataset that is `dataset.json`, whose arrival
 * is what starts a run, so a run never sees half a dataset.
 */
export async function uploadFolder(dir: string, store: ObjectStore, lastKey?: string, options: UploadFolderOptions = {}): Promise<number> {
  const keys = (await listFiles(dir)).map((path) => relative(dir, path).split(sep).join('/')).sort();
  const holdBack = lastKey !== undefined && keys.includes(lastKey);
  const first = holdBack ? keys.filter((key) => key !== lastKey) : keys;
  let done = 0;
  const copy = async (key: string) => {
    await store.put(key, await readFile(join(dir, ...key.split('/'))));
    done += 1;
    options.onFile?.(done, keys.length);
  };
  // Workers take keys in order from one cursor: at most `concurrency` PUTs at once, each file read
  // when sent; after a failure no worker starts another file (the caller gets the first error).
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < first.length) {
      await copy(first[next++] ?? '').catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, first.length)) }, worker));
  if (holdBack && lastKey !== undefined) await copy(lastKey);
  return keys.length;
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
