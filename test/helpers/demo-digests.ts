import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFilesUnder } from './temp-dir.js';

/** What the demo wrote, as digests: the pin that keeps its outputs byte-identical across refactors. */
export interface DemoDigests {
  readonly note: string;
  readonly runId: string;
  /** One digest over every image's (path, sha256) line, sorted by path. */
  readonly images: string;
  /** sha256 of every other file, keyed by path (`run/…` for the run's folder). */
  readonly files: Record<string, string>;
}

/**
 * Digest a demo output folder: every file but the Distributed Maps' diagnostics (`map-results/`,
 * named by random map run ids, wherever they sit) and the run lock beside the run's folder (it
 * names the execution that wrote the run), images folded into one digest.
 */
export async function digestDemoFolder(out: string, note: string): Promise<DemoDigests> {
  const all = (await listFilesUnder(out)).filter((file) => !/(^|\/)map-results\//.test(file) && !/^runs\/[^/]+\.lock\.json$/.test(file)).sort();
  const runId = all.find((file) => file.startsWith('runs/'))?.split('/')[1] ?? '';
  const images = createHash('sha256');
  const files: Record<string, string> = {};
  for (const file of all) {
    const digest = createHash('sha256')
      .update(await readFile(join(out, file)))
      .digest('hex');
    if (file.startsWith('dataset/images/')) images.update(`${file} ${digest}\n`);
    else files[file.replace(`runs/${runId}/`, 'run/')] = digest;
  }
  return { note, runId, images: images.digest('hex'), files };
}
