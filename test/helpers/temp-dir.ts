/** Scratch folders under the OS temp dir for tests that write real files. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

/** A fresh, empty folder `megashard-<label>-XXXXXX` under os.tmpdir(). */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `megashard-${label}-`));
}

/** Remove a folder made by makeTempDir (no-op when it was never made). */
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/** Every file under `dir`, as sorted '/'-separated paths relative to it; [] when `dir` does not exist. */
export async function listFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else found.push(relative(dir, full).split(sep).join('/'));
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * A run folder's artifacts: every file but the Distributed Maps' ResultWriter diagnostics
 * (`map-results/<map run id>/`), which are named by random map run ids, as on AWS.
 */
export async function listRunArtifacts(runDir: string): Promise<string[]> {
  return (await listFilesUnder(runDir)).filter((file) => !file.startsWith('map-results/'));
}
