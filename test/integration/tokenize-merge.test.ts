/**
 * The merged length index: byte-identical for any chunk size, duplicate ids removed (first kept)
 * and reported, and tokens_row pointing at each sample's tokens.
 */
import { DUPLICATES_KEY, INDEX_KEY } from '../../lib/core/run-layout.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLengthIndex, decodeTokensFile } from '../../lib/arrow/index.js';
import { utf8At } from '../../lib/core/index/length-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { synthDataset } from '../../lib/synth/synth-dataset.js';
import { tokenizeDatasetLocally } from '../../lib/run/tokenize/tokenize-dataset-locally.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let duplicatedId: string;
beforeAll(async () => {
  tmp = await makeTempDir('merge');
  const data = join(tmp, 'data');
  await synthDataset({ kind: 'llava-pretrain', samples: 300, seed: 8, outDir: data, images: true });
  const corpusPath = join(data, 'data/blip_laion_cc_sbu_558k.json');
  const records = JSON.parse(await readFile(corpusPath, 'utf8')) as Array<{ id: string }>;
  duplicatedId = records[10]!.id;
  records[250]!.id = duplicatedId; // far apart: different chunks when chunks are small
  await writeFile(corpusPath, `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
});
afterAll(() => removeTempDir(tmp));

async function run(name: string, chunkBytes: number) {
  const config = JSON.parse(await readFile(join(tmp, 'data', 'dataset.json'), 'utf8'));
  await writeFile(join(tmp, 'data', 'dataset.json'), JSON.stringify({ ...config, chunkBytes }));
  const out = join(tmp, name);
  const manifest = await tokenizeDatasetLocally({ datasetLocation: join(tmp, 'data'), outLocation: out, workers: 1 });
  return { out, manifest, store: new FsObjectStore(out) };
}

describe('tokenize merge', () => {
  it('gives the same global index for any chunk size, without the later duplicate', async () => {
    const whole = await run('whole', 1 << 30);
    const small = await run('small', 8 * 1024);
    expect(small.manifest.chunks.length).toBeGreaterThan(4);
    const wholeIndex = await whole.store.get(INDEX_KEY);
    expect(Buffer.from(await small.store.get(INDEX_KEY)).equals(Buffer.from(wholeIndex))).toBe(true);
    expect(whole.manifest.samples).toBe(299);
    expect(whole.manifest.index.duplicates).toBe(1);
    const duplicates = new TextDecoder()
      .decode(await small.store.get(DUPLICATES_KEY))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(duplicates).toHaveLength(1);
    expect(duplicates[0]).toMatchObject({ recordId: duplicatedId, reason: expect.stringMatching(/^duplicate id "\d+" \(first at byte \d+\)$/) });
  });

  it('points tokens_row at the row of the same record in the tokens files', async () => {
    const { manifest, store } = await run('rows', 8 * 1024);
    const { index } = decodeLengthIndex(await store.get(INDEX_KEY));
    const rows: Array<{ id: string; offset: bigint; tokens: number }> = [];
    for (const chunk of manifest.chunks) {
      const { samples } = decodeTokensFile(await store.get(chunk.keys.tokens));
      for (let s = 0; s < samples.sampleCount; s++) {
        rows.push({ id: utf8At(samples.recordIds, s), offset: samples.sourceOffsets[s]!, tokens: samples.tokenOffsets[s + 1]! - samples.tokenOffsets[s]! });
      }
    }
    expect(rows.length).toBe(300);
    for (let i = 0; i < index.sampleCount; i++) {
      const row = rows[index.tokensRow[i]!]!;
      expect(row.id).toBe(utf8At(index.recordIds, i));
      expect(row.offset).toBe(index.sourceOffsets[i]);
      expect(row.tokens).toBe(Math.abs(index.xtunerLength[i]!));
    }
    // The duplicate's tokens row is skipped: 300 tokens rows, 299 samples.
    expect(new Set(index.tokensRow).size).toBe(299);
  });
});
