/** `megashard tokenize`: the same bytes with 1 or 2 worker threads, every record accounted for. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('tokenize');
  const synth = await runCli(['synth', 'interleaved', '--samples', '600', '--seed', '2', '--out', join(tmp, 'data'), '--images']);
  expect(synth.code).toBe(0);
  // Small chunks so both workers get several.
  const config = JSON.parse(await readFile(join(tmp, 'data', 'dataset.json'), 'utf8'));
  await import('node:fs/promises').then((fs) => fs.writeFile(join(tmp, 'data', 'dataset.json'), JSON.stringify({ ...config, chunkBytes: 200_000 })));
});
afterAll(() => removeTempDir(tmp));

describe('tokenize command', () => {
  it('writes identical files with 1 and 2 workers, and accounts for every record', async () => {
    const one = await runCli(['tokenize', join(tmp, 'data'), '--out', join(tmp, 'out1'), '--workers', '1']);
    const two = await runCli(['tokenize', join(tmp, 'data'), '--out', join(tmp, 'out2'), '--workers', '2']);
    expect([one.code, two.code]).toEqual([0, 0]);
    const files = await listFilesUnder(join(tmp, 'out1'));
    expect(await listFilesUnder(join(tmp, 'out2'))).toEqual(files);
    expect(files.filter((f) => f.startsWith('tokens/')).length).toBeGreaterThan(3);
    for (const file of files) {
      expect((await readFile(join(tmp, 'out2', file))).equals(await readFile(join(tmp, 'out1', file)))).toBe(true);
    }
    const manifest = JSON.parse(await readFile(join(tmp, 'out1', 'tokenize.json'), 'utf8'));
    // A split document yields several samples; every record is a sample or a reject.
    expect(manifest.samples).toBeGreaterThanOrEqual(600 - manifest.rejects);
    expect(manifest.rejects).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ samples: manifest.samples, rejects: 0 });
  });
});
