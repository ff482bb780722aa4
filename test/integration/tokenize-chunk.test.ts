/**
 * Tokenizing a real synthetic LLaVA-SFT dataset chunk by chunk, with the real LLaMA-2 tokenizer:
 * the outputs do not depend on the chunk size, lengths are consistent, a missing image rejects
 * only its own sample.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLengthIndex, decodeTokensFile } from '../../lib/arrow/index.js';
import { resolveDatasetConfig, type DatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { IMAGE_TOKEN_ID } from '../../lib/core/tokenize/tokenizer.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { synthDataset } from '../../lib/synth/synth-dataset.js';
import { planDatasetChunks } from '../../lib/run/prepare/plan-dataset-chunks.js';
import { createChunkTokenizer, tokenizeChunk, type ChunkTokenizer } from '../../lib/run/tokenize/tokenize-chunk.js';
import { loadNpmTokenizer } from '../../lib/tokenizers/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let store: FsObjectStore;
let config: DatasetConfig;
let bound: ChunkTokenizer;

beforeAll(async () => {
  tmp = await makeTempDir('tokenize-chunk');
  await synthDataset({ kind: 'llava-sft', samples: 400, seed: 3, outDir: tmp, images: true });
  const raw = JSON.parse(await readFile(join(tmp, 'dataset.json'), 'utf8'));
  // AnyRes makes every image's header matter; a 2-in-400 missing image must reject only its sample.
  raw.imageTokens = { kind: 'anyres' };
  config = resolveDatasetConfig(raw).config;
  store = new FsObjectStore(tmp);
  bound = await createChunkTokenizer(config, await loadNpmTokenizer('llama2'));
});
afterAll(() => removeTempDir(tmp));

/** Tokenize the whole dataset with a given chunk size; returns every output file's decoded rows. */
async function tokenizeAll(chunkBytes: number) {
  const tasks = await planDatasetChunks(store, { ...config, chunkBytes });
  const out = new MemoryObjectStore();
  const summaries = [];
  for (const task of tasks) summaries.push(await tokenizeChunk(task, { store, config }, bound, { store: out, prefix: 'run' }));
  const ids: number[] = [];
  const lengths: number[] = [];
  const rejects: string[] = [];
  for (const summary of summaries) {
    const { samples } = decodeTokensFile(await out.get(summary.keys.tokens));
    ids.push(...samples.inputIds);
    lengths.push(...decodeLengthIndex(await out.get(summary.keys.index)).index.totalTokens);
    rejects.push(
      ...new TextDecoder()
        .decode(await out.get(summary.keys.rejects))
        .split('\n')
        .filter(Boolean),
    );
  }
  return { tasks, summaries, ids, lengths, rejects };
}

describe('tokenizeChunk', () => {
  it('gives the same tokens, lengths and rejects whatever the chunk size', async () => {
    const whole = await tokenizeAll(1 << 30);
    const small = await tokenizeAll(16 * 1024);
    expect(whole.tasks.length).toBe(1);
    expect(small.tasks.length).toBeGreaterThan(5);
    expect(small.ids).toEqual(whole.ids);
    expect(small.lengths).toEqual(whole.lengths);
    expect(small.rejects).toEqual(whole.rejects);
    expect(whole.summaries[0]!.samples + whole.summaries[0]!.rejects).toBe(400);
  });

  it('writes consistent lengths: total = text + vision tokens, one sentinel per image', async () => {
    const [task] = await planDatasetChunks(store, config);
    const out = new MemoryObjectStore();
    const summary = await tokenizeChunk(task!, { store, config }, bound, { store: out, prefix: '' });
    const { samples } = decodeTokensFile(await out.get(summary.keys.tokens));
    const { index } = decodeLengthIndex(await out.get(summary.keys.index));
    for (let s = 0; s < samples.sampleCount; s++) {
      const ids = samples.inputIds.subarray(samples.tokenOffsets[s], samples.tokenOffsets[s + 1]);
      const sentinels = ids.filter((id) => id === IMAGE_TOKEN_ID).length;
      expect(sentinels).toBe(samples.imageOffsets[s + 1]! - samples.imageOffsets[s]!);
      expect(index.numImages[s]).toBe(sentinels);
      expect(index.textTokens[s]).toBe(ids.length - sentinels);
      expect(index.totalTokens[s]).toBe(index.textTokens[s]! + index.imageTokens[s]!);
      expect(Math.abs(index.xtunerLength[s]!)).toBe(ids.length);
      expect(index.imageTokens[s]! >= 576 * sentinels).toBe(true);
    }
  });

  it('rejects a sample whose image is missing, naming it, and keeps every other sample', async () => {
    const before = await tokenizeAll(1 << 30);
    const corpus = JSON.parse(await readFile(join(tmp, config.sources[0]!.path), 'utf8')) as Array<{ id: string; image?: string }>;
    const victim = corpus.find((record) => record.image !== undefined)!;
    await rm(join(tmp, config.imageRoot, victim.image!));
    try {
      const after = await tokenizeAll(1 << 30);
      expect(after.summaries[0]!.samples).toBe(before.summaries[0]!.samples - 1);
      const reject = after.rejects.map((line) => JSON.parse(line)).find((r) => r.recordId === victim.id);
      expect(reject.reason).toBe(`image "${victim.image}": missing image file`);
    } finally {
      await writeFile(
        join(tmp, config.imageRoot, victim.image!),
        await readFile(join(tmp, config.imageRoot, corpus.find((r) => r.image && r.image !== victim.image)!.image!)),
      );
    }
  });
});
