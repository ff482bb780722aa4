/** `megashard synth` writes corpora our own readers accept whole, a valid dataset.json, and real images. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { detectSourceFormat } from '../../lib/core/corpus/source-format.js';
import { readChunkRecords } from '../../lib/core/corpus/read-chunk.js';
import { resolveDatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { readImageSize } from '../../lib/run/tokenize/read-image-size.js';

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('synth');
});
afterAll(() => removeTempDir(tmp));

describe.each([
  ['llava-pretrain', 'data/blip_laion_cc_sbu_558k.json', 'plain'],
  ['llava-sft', 'data/llava_v1_5_mix665k.json', 'vicuna_v1'],
  ['interleaved', 'data/mmc4_core_docs.jsonl', 'llama3'],
])('synth %s', (kind, corpus, template) => {
  it('writes a corpus whose every record is accepted, a valid dataset.json and readable images', async () => {
    const out = join(tmp, kind);
    const { code, stdout } = await runCli(['synth', kind, '--samples', '300', '--seed', '5', '--out', out, '--images']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ kind, samples: 300 });
    const { config } = resolveDatasetConfig(JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8')));
    expect(config.sources[0]!.path).toBe(corpus);
    expect(config.template.name).toBe(template);
    const bytes = new Uint8Array(await readFile(join(out, corpus)));
    const format = detectSourceFormat(bytes.subarray(0, 4096), corpus, bytes.length, { shape: config.sources[0]!.format === 'mmc4' ? 'mmc4' : 'llava' });
    const read = readChunkRecords(bytes, { absoluteOffset: 0, sourceName: corpus, format, endOfSource: true });
    expect(read.rejects).toEqual([]);
    expect(read.records.length).toBe(300);
    const images = new FsObjectStore(join(out, config.imageRoot));
    const refs = read.records.flatMap((r) => r.conversation.images).slice(0, 20);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(await readImageSize(images, ref)).toMatchObject({ ok: true });
  });
});

it('is deterministic: the same seed writes the same corpus bytes', async () => {
  const run = async (dir: string) => {
    await runCli(['synth', 'llava-sft', '--samples', '200', '--seed', '9', '--out', join(tmp, dir)]);
    return readFile(join(tmp, dir, 'data/llava_v1_5_mix665k.json'));
  };
  expect((await run('a')).equals(await run('b'))).toBe(true);
  // Images are written by default (the dataset runs as written); --no-images writes none and says so.
  expect((await stat(join(tmp, 'a', 'images'))).isDirectory()).toBe(true);
  await runCli(['synth', 'llava-sft', '--samples', '20', '--seed', '9', '--out', join(tmp, 'c'), '--no-images']);
  await expect(stat(join(tmp, 'c', 'images'))).rejects.toThrow();
  expect(JSON.parse(await readFile(join(tmp, 'c', 'dataset.json'), 'utf8'))).toMatchObject({ imageCheck: 'none' });
});
