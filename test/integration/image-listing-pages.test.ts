/**
 * A folder of images larger than one ListImages call's budget is listed by successive calls (the
 * state machine loops on each call's next item), and the run is the same bytes as one listed whole:
 * the budget shapes the work, never what is written.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;

beforeAll(async () => (tmp = await makeTempDir('image-listing-pages')), 30_000);
afterAll(() => removeTempDir(tmp));

/** A synthetic LLaVA dataset checked by listing (`exists`, fixed rule), with the given tuning. */
async function dataset(name: string, tuning: Record<string, number>): Promise<string> {
  const folder = join(tmp, name);
  expect((await runCli(['synth', 'llava-sft', '--samples', '240', '--seed', '5', '--out', folder, '--images'])).code).toBe(0);
  const config = JSON.parse(await readFile(join(folder, 'dataset.json'), 'utf8'));
  await writeFile(join(folder, 'dataset.json'), JSON.stringify({ ...config, imageCheck: 'exists', tuning }));
  return folder;
}

describe('image listing in pages', () => {
  it('lists each folder by as many calls as its budget needs, and writes the same run', async () => {
    const whole = await runPipeline({ datasetLocation: await dataset('whole', {}), outLocation: join(tmp, 'out-whole'), workers: 2 });
    const paged = await runPipeline({ datasetLocation: await dataset('paged', { imagesPerListCall: 4 }), outLocation: join(tmp, 'out-paged'), workers: 2 });
    const folders = (await listFilesUnder(join(whole.runLocation, 'images'))).filter((file) => file.endsWith('pages.json')).length;
    expect(folders).toBeGreaterThan(1);
    expect(whole.timing.byTask.ListImages!.calls).toBe(folders);
    expect(paged.timing.byTask.ListImages!.calls).toBeGreaterThan(3 * folders);
    // Images were looked up in the table, not probed: identical answers give identical rejects, index and shards.
    for (const folder of ['index', 'shards', 'rejects']) {
      const files = await listFilesUnder(join(whole.runLocation, folder));
      expect(await listFilesUnder(join(paged.runLocation, folder))).toEqual(files);
      for (const file of files) {
        const [a, b] = await Promise.all([readFile(join(whole.runLocation, folder, file)), readFile(join(paged.runLocation, folder, file))]);
        expect(a.equals(b), `${folder}/${file}`).toBe(true);
      }
    }
  }, 240_000);
});
