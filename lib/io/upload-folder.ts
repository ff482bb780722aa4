import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from './object-store.js';

/**
 * Copy every file under `dir` into `store` under the same relative keys, in sorted order, holding
 * `lastKey` back until everything else is in: for a dataset that is `dataset.json`, whose arrival
 * is what starts a run, so a run never sees half a dataset.
 */
export async function uploadFolder(dir: string, store: ObjectStore, lastKey?: string): Promise<number> {
  const keys = (await listFiles(dir)).map((path) => relative(dir, path).split(sep).join('/')).sort();
  const ordered = lastKey !== undefined && keys.includes(lastKey) ? [...keys.filter((key) => key !== lastKey), lastKey] : keys;
  for (const key of ordered) await store.put(key, await readFile(join(dir, ...key.split('/'))));
  return ordered.length;
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
