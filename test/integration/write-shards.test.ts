/**
 * synth → tokenize → plan → shards on real files: every shard row carries the tokens of the sample
 * the plan put there, record batch k is step k, every planned sample appears, the bytes do not
 * depend on how the work is split, and an index without tokens gets index-only shards.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLengthIndex, decodePlanRankFile, decodeTokensFile, encodeLengthIndex, readShardColumns, type ShardColumns } from '../../lib/arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { utf8At } from '../../lib/core/index/length-index.js';
import { epochManifestSchema } from '../../lib/core/plan/manifest.js';
import { shardEpochManifestSchema, shardsManifestSchema } from '../../lib/core/shards/shard-manifest.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { finishShards } from '../../lib/run/shards/finish-shards.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { assembleShardSection } from '../../lib/run/shards/assemble-shard-section.js';
import { loadShardRunInputs } from '../../lib/run/shards/shard-run-inputs.js';
import { writeRunShards } from '../../lib/run/shards/write-run-shards.js';
import { finishShardEpoch } from '../helpers/single-pass-shards/finish-shard-epoch.js';
import { writeShardRanks } from '../helpers/single-pass-shards/write-shards.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SPEC = { strategy: 'balanced', seed: 11, epochs: 2, worldSize: 4, perDeviceBatchSize: 3, gradientAccumulation: 2 };
let tmp: string;
let run: string;
const json = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

beforeAll(async () => {
  tmp = await makeTempDir('shards');
  run = join(tmp, 'run');
  expect((await runCli(['synth', 'llava-sft', '--samples', '400', '--seed', '5', '--out', join(tmp, 'data'), '--images'])).code).toBe(0);
  const config = await json(join(tmp, 'data', 'dataset.json'));
  await writeFile(join(tmp, 'data', 'dataset.json'), JSON.stringify({ ...config, chunkBytes: 60_000 })); // several tokens files
  expect((await runCli(['tokenize', join(tmp, 'data'), '--out', run, '--workers', '1'])).code).toBe(0);
  await writeFile(join(tmp, 'spec.json'), JSON.stringify(SPEC));
  expect((await runCli(['plan', '--index', join(run, 'index/lengths.arrow'), '--spec', join(tmp, 'spec.json'), '--out', join(run, 'plan')])).code).toBe(0);
  const shards = await runCli(['shards', run]);
  expect(shards.stderr).toMatch(/epoch 1: 8 shard files/);
  expect(shards.code).toBe(0);
}, 120_000);
afterAll(() => removeTempDir(tmp));

/** Every tokens row of the run, in part order, as tokenize wrote them. */
async function tokensRows() {
  const manifest = await json(join(run, 'tokenize.json'));
  const rows: Array<{ ids: number[]; labels: number[]; images: string[] }> = [];
  for (const chunk of manifest.chunks) {
    const { samples } = decodeTokensFile(new Uint8Array(await readFile(join(run, chunk.keys.tokens))));
    for (let s = 0; s < samples.sampleCount; s++) {
      const [a, b] = [samples.tokenOffsets[s]!, samples.tokenOffsets[s + 1]!];
      const images = Array.from({ length: samples.imageOffsets[s + 1]! - samples.imageOffsets[s]! }, (_, k) =>
        utf8At(samples.images, samples.imageOffsets[s]! + k),
      );
      rows.push({ ids: Array.from(samples.inputIds.subarray(a, b)), labels: Array.from(samples.labels.subarray(a, b)), images });
    }
  }
  expect(manifest.chunks.length).toBeGreaterThan(2);
  return rows;
}

const shardAt = async (key: string): Promise<ShardColumns> => readShardColumns(new Uint8Array(await readFile(join(run, 'shards', key))), key);

describe('megashard shards', () => {
  it('puts the tokens of each planned sample, in plan order, in record batch k = step k', async () => {
    const rows = await tokensRows();
    const { index } = decodeLengthIndex(new Uint8Array(await readFile(join(run, 'index/lengths.arrow'))));
    const root = shardsManifestSchema.parse(await json(join(run, 'shards/manifest.json')));
    expect(root.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    for (const { epoch, key } of root.epochs) {
      const manifest = shardEpochManifestSchema.parse(await json(join(run, 'shards', key)));
      const plan = epochManifestSchema.parse(await json(join(run, 'plan', `epoch-000${epoch}/manifest.json`)));
      const seen = new Set<number>();
      for (const planFile of plan.files) {
        const planned = decodePlanRankFile(new Uint8Array(await readFile(join(run, 'plan', planFile.key))));
        const shard = await shardAt(`epoch-000${epoch}/rank-0000${planFile.rank}.arrow`);
        expect(shard.metadata).toMatchObject({
          kind: 'shard',
          epoch,
          rank: planFile.rank,
          steps: planFile.steps,
          firstStep: 0,
          microBatchSize: 3,
          gradientAccumulation: 2,
          worldSize: 4,
        });
        expect(shard.sampleIds).toEqual(planned.sampleIds);
        expect(shard.lengths).toEqual(planned.lengths);
        expect(shard.isPadding).toEqual(planned.isPadding);
        expect(Array.from(shard.stepStarts)).toEqual(Array.from({ length: planFile.steps + 1 }, (_, k) => Math.min(planFile.entries, 3 * k)));
        const tokens = shard.tokens!;
        shard.sampleIds.forEach((id, p) => {
          seen.add(id);
          const row = rows[index.tokensRow[id]!]!;
          expect(Array.from(tokens.inputIds.subarray(tokens.tokenOffsets[p], tokens.tokenOffsets[p + 1]))).toEqual(row.ids);
          expect(Array.from(tokens.labels.subarray(tokens.tokenOffsets[p], tokens.tokenOffsets[p + 1]))).toEqual(row.labels);
          expect(
            Array.from({ length: tokens.imageOffsets[p + 1]! - tokens.imageOffsets[p]! }, (_, k) => utf8At(tokens.images, tokens.imageOffsets[p]! + k)),
          ).toEqual(row.images);
          expect(utf8At(shard.recordIds, p)).toBe(utf8At(index.recordIds, id));
          expect(shard.totalTokens[p]).toBe(index.totalTokens[id]);
        });
        const indexOnly = await shardAt(`epoch-000${epoch}/rank-0000${planFile.rank}.index.arrow`);
        const { tokens: _t, metadata, ...columns } = shard;
        expect(indexOnly).toEqual({ ...columns, metadata: { ...metadata, kind: 'shard-index' } });
      }
      expect(seen.size + plan.droppedIds.length).toBe(index.sampleCount);
      expect(manifest.files).toHaveLength(8);
      for (const file of manifest.files) {
        const bytes = await readFile(join(run, 'shards', file.key));
        expect({ bytes: bytes.length, sha256: sha256Hex(bytes) }).toEqual({ bytes: file.bytes, sha256: file.sha256 });
      }
    }
  });

  it('writes the bytes of the single-pass writer split into rank ranges or small groups, and the same when rewritten', async () => {
    const before = await listFilesUnder(join(run, 'shards'));
    const copy = join(tmp, 'split');
    await cp(run, copy, { recursive: true });
    const store = new FsObjectStore(copy);
    const inputs = await loadShardRunInputs(store);
    for (const epoch of [0, 1]) {
      await writeShardRanks(inputs, { epoch, ranks: [2, 4], maxTokensInMemory: 1 });
      const written = await writeShardRanks(inputs, { epoch, ranks: [0, 2] });
      expect(written).toEqual({ epoch, ranks: [0, 2], variants: ['tokens', 'index'], files: 4 });
      await finishShardEpoch(store, epoch, written.variants);
    }
    await finishShards(store);
    await writeRunShards(new FsObjectStore(run), { budget: { ranksPerCall: 1 } });
    expect(await listFilesUnder(join(run, 'shards'))).toEqual(before);
    expect(await listFilesUnder(join(run, 'work'))).toEqual([]);
    for (const file of before) {
      const original = await readFile(join(run, 'shards', file));
      expect(original.equals(await readFile(join(copy, 'shards', file))), file).toBe(true);
    }
  });

  it('writes shards polars reads with the same values', async () => {
    const shard = await shardAt('epoch-0001/rank-00002.arrow');
    const frame = pl.readIPC(await readFile(join(run, 'shards/epoch-0001/rank-00002.arrow')));
    expect(frame.getColumn('sample_id').toArray()).toEqual(Array.from(shard.sampleIds));
    const ids = frame
      .getColumn('input_ids')
      .toArray()
      .map((list: unknown) => Array.from(list as ArrayLike<number>));
    expect(ids.flat()).toEqual(Array.from(shard.tokens!.inputIds));
  });

  it('refuses an unplanned epoch and a rank range outside the world', async () => {
    const store = new FsObjectStore(run);
    await expect(assembleShardSection(store, { epoch: 2, ranks: [0, 1], section: 0 })).rejects.toThrow(
      /epoch: is 2, which was not planned; .* has epochs 0, 1/,
    );
    await expect(assembleShardSection(store, { epoch: 0, ranks: [3, 5], section: 0 })).rejects.toThrow(InvalidInputError);
    const missing = await runCli(['shards', join(tmp, 'data')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no plan\/manifest\.json: plan the run first/);
  });

  it('names the tokens file whose row does not match the index', async () => {
    const copy = join(tmp, 'tampered');
    await cp(run, copy, { recursive: true });
    const manifest = await json(join(copy, 'tokenize.json'));
    const first = manifest.chunks[0].keys.tokens;
    // Swap in another part's tokens: row counts may agree, the records cannot.
    await cp(join(copy, manifest.chunks[1].keys.tokens), join(copy, first));
    manifest.chunks[0].samples = manifest.chunks[1].samples;
    await writeFile(join(copy, 'tokenize.json'), JSON.stringify(manifest));
    await expect(writeRunShards(new FsObjectStore(copy))).rejects.toThrow(CorruptArtifactError);
    await expect(writeRunShards(new FsObjectStore(copy))).rejects.toThrow(new RegExp(`${first.replace(/[.]/g, '\\.')}: row \\d+ \\(sample \\d+\\)`));
  });

  it('writes index-only shards, and says so, for an index without tokens', async () => {
    const store = new FsObjectStore(join(tmp, 'synthetic'));
    const index = syntheticLengthIndex(500, 4);
    await store.put('index/lengths.arrow', encodeLengthIndex(index));
    await planIndexFile({ index: { store, key: 'index/lengths.arrow' }, spec: { ...SPEC, epochs: 1, worldSize: 3 }, out: { store, prefix: 'plan' } });
    const root = await writeRunShards(store);
    expect(root).toMatchObject({ tokenizerFingerprint: '', sampleCount: 500, worldSize: 3 });
    const files = await listFilesUnder(join(tmp, 'synthetic', 'shards'));
    expect(files).toEqual([
      'epoch-0000/manifest.json',
      'epoch-0000/rank-00000.index.arrow',
      'epoch-0000/rank-00001.index.arrow',
      'epoch-0000/rank-00002.index.arrow',
      'manifest.json',
    ]);
    const manifest = shardEpochManifestSchema.parse(await json(join(tmp, 'synthetic', 'shards/epoch-0000/manifest.json')));
    expect(manifest.files.map((f) => f.variant)).toEqual(['index', 'index', 'index']);
    const shard = readShardColumns(await store.get('shards/epoch-0000/rank-00001.index.arrow'), 'rank 1');
    expect(shard.metadata.kind).toBe('shard-index');
    expect(shard.tokens).toBeUndefined();
    const { index: decoded } = decodeLengthIndex(await store.get('index/lengths.arrow'));
    shard.sampleIds.forEach((id, p) => expect(shard.totalTokens[p]).toBe(decoded.totalTokens[id]));
  });

  it('documents itself in --help', async () => {
    const help = await runCli(['shards', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/record batch k is the micro-batch of step k/);
    expect(help.stdout).toMatch(/--assemble-tokens-per-call <N>/);
  });
});
