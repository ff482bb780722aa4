/**
 * An independent Arrow implementation (polars, Rust) reads the files lib/arrow writes: the
 * training side (pyarrow/polars) must see the same columns, types and values as we do — the
 * length index, plan-rank files (format 2, fixed and packed) and packed shard files (format 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataFrame } from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePlanRankFile, encodeLengthIndex, encodePlanRankFile, readShardColumns } from '../../lib/arrow/index.js';
import { signedLengths, utf8At } from '../../lib/core/index/length-index.js';
import { offsetsFromCounts, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { packStartsOfColumn } from '../../lib/core/shards/packed-rank-layout.js';
import { IGNORE_INDEX } from '../../lib/core/shards/packed-token-columns.js';
import { shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { hash32, makeLengthIndexFixture } from '../helpers/length-index-fixture.js';
import { writePipelineShardRun, type PipelineShardRun } from '../helpers/pipeline-shard-run.js';

let readIPC: (pathOrBody: string | Buffer) => DataFrame;
let dir: string;

beforeAll(async () => {
  try {
    ({ readIPC } = await import('nodejs-polars'));
  } catch (error) {
    // Fail loudly rather than skip: this test is the proof that other readers understand our files.
    throw new Error(
      `nodejs-polars could not load (${(error as Error).message.split('\n')[0]}). ` +
        'Its native package nodejs-polars-linux-x64-gnu@0.26.1 declares engines "node >= 22", so npm skips it as an ' +
        'optional dependency on Node 20; it does load on Node 20. Install it, e.g. list it in devDependencies.',
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'megashard-polars-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const values = (df: DataFrame, name: string): unknown => df.getColumn(name).toTypedArray();
const dtypes = (df: DataFrame) => Object.fromEntries(df.columns.map((name, i) => [name, String(df.dtypes[i])]));

describe('polars reads our Arrow IPC files', () => {
  it('reads a multi-batch length index from a file with the same columns, types and values', () => {
    const index = makeLengthIndexFixture(5000, 77);
    index.sourceOffsets[0] = 2n ** 60n + 3n; // beyond 2^53: Int64 must arrive exactly
    const path = join(dir, 'length-index.ipc'); // polars' readIPC takes a path only with this extension
    writeFileSync(path, encodeLengthIndex(index, { maxRowsPerBatch: 1024 }));
    const df = readIPC(path);

    expect(df.height).toBe(5000);
    expect(dtypes(df)).toEqual({
      sample_id: 'DataType(UInt32)',
      record_id: 'DataType(String)',
      source: 'DataType(Categorical)',
      source_offset: 'DataType(Int64)',
      num_images: 'DataType(UInt16)',
      text_tokens: 'DataType(Int32)',
      image_tokens: 'DataType(Int32)',
      total_tokens: 'DataType(Int32)',
      trainable_tokens: 'DataType(Int32)',
      modality: 'DataType(UInt8)',
      xtuner_length: 'DataType(Int32)',
      llava_length: 'DataType(Int32)',
      tokens_row: 'DataType(Int32)',
    });
    expect(values(df, 'sample_id')).toEqual(Uint32Array.from({ length: 5000 }, (_, i) => i));
    expect(df.getColumn('record_id').toArray()).toEqual(Array.from({ length: 5000 }, (_, i) => utf8At(index.recordIds, i)));
    expect(df.getColumn('source').toArray()).toEqual(Array.from(index.sourceIndex, (s) => index.sourceNames[s]));
    expect(values(df, 'source_offset')).toEqual(index.sourceOffsets);
    expect(values(df, 'num_images')).toEqual(index.numImages);
    expect(values(df, 'text_tokens')).toEqual(index.textTokens);
    expect(values(df, 'image_tokens')).toEqual(index.imageTokens);
    expect(values(df, 'total_tokens')).toEqual(index.totalTokens);
    expect(values(df, 'trainable_tokens')).toEqual(index.trainableTokens);
    expect(values(df, 'modality')).toEqual(index.modality);
    expect(values(df, 'xtuner_length')).toEqual(index.xtunerLength);
    expect(values(df, 'llava_length')).toEqual(index.llavaLength);
    expect(values(df, 'tokens_row')).toEqual(index.tokensRow);
  });

  it('reads a plan-rank file from a buffer, bit-packed padding included', () => {
    const index = makeLengthIndexFixture(600, 5);
    const lengths = signedLengths(index, 'total');
    const counts = [301, 299];
    const plan: EpochPlan = {
      strategyId: 'balanced@1',
      epoch: 0,
      worldSize: 2,
      microBatchSize: 8,
      sampleIds: Int32Array.from({ length: 600 }, (_, i) => (i * 7) % 600),
      rankStarts: offsetsFromCounts(counts),
      isPadding: Uint8Array.from({ length: 600 }, (_, i) => (hash32(3, i, 0) % 5 === 0 ? 1 : 0)),
      droppedIds: new Int32Array(0),
    };
    const meta = { planFingerprint: 'r'.repeat(8), strategyId: 'balanced@1', epoch: 0, worldSize: 2, microBatchSize: 8, gradientAccumulation: 2 };
    for (const rank of [0, 1]) {
      const df = readIPC(Buffer.from(encodePlanRankFile(plan, rank, lengths, meta)));
      const start = plan.rankStarts[rank]!;
      const ids = plan.sampleIds.subarray(start, start + counts[rank]!);
      expect(df.height).toBe(counts[rank]);
      expect(dtypes(df)).toEqual({
        sample_id: 'DataType(Int32)',
        step: 'DataType(Int32)',
        slot: 'DataType(Int32)',
        pack: 'DataType(Int32)',
        length: 'DataType(Int32)',
        is_padding: 'DataType(Bool)',
      });
      expect(values(df, 'sample_id')).toEqual(ids);
      expect(values(df, 'step')).toEqual(Int32Array.from(ids, (_, p) => Math.floor(p / 8)));
      expect(values(df, 'slot')).toEqual(Int32Array.from(ids, (_, p) => p % 8));
      expect(values(df, 'pack')).toEqual(Int32Array.from(ids, (_, p) => p % 8));
      expect(values(df, 'length')).toEqual(Int32Array.from(ids, (id) => lengths[id]!));
      expect(df.getColumn('is_padding').toArray()).toEqual(Array.from(plan.isPadding.subarray(start, start + counts[rank]!), (b) => b === 1));
    }
  });

  describe('files of a packed run (plan-rank and shard format 2)', () => {
    let packed: PipelineShardRun;
    const MAX_TOKENS = 2048;
    beforeAll(async () => {
      packed = await writePipelineShardRun(join(dir, 'packed'), {
        samples: 60,
        spec: { epochs: 1, worldSize: 2, packing: { strategy: 'balanced-pack', maxTokens: MAX_TOKENS } },
      });
    }, 300_000);

    it('reads a packed plan-rank file: whole packs per step, a variable number of rows', () => {
      const bytes = readFileSync(join(packed.run, 'plan', 'epoch-0000', 'rank-00001.arrow'));
      const ours = decodePlanRankFile(bytes);
      expect(ours.metadata).toMatchObject({ formatVersion: '2', layout: 'packed', maxTokens: MAX_TOKENS });
      const df = readIPC(Buffer.from(bytes));
      expect(df.height).toBe(ours.sampleIds.length);
      expect(dtypes(df)).toEqual({
        sample_id: 'DataType(Int32)',
        step: 'DataType(Int32)',
        slot: 'DataType(Int32)',
        pack: 'DataType(Int32)',
        length: 'DataType(Int32)',
        is_padding: 'DataType(Bool)',
      });
      expect(values(df, 'sample_id')).toEqual(ours.sampleIds);
      expect(values(df, 'step')).toEqual(ours.steps);
      expect(values(df, 'slot')).toEqual(ours.slots);
      expect(values(df, 'pack')).toEqual(ours.packs);
      expect(values(df, 'length')).toEqual(ours.lengths);
      expect(df.getColumn('is_padding').toArray()).toEqual(Array.from(ours.isPadding, (b) => b === 1));
      // What format 2 is for: steps of a variable number of rows, each within the budget.
      const steps = values(df, 'step') as Int32Array;
      const lengths = values(df, 'length') as Int32Array;
      const rowsPerStep = new Map<number, number>();
      const tokensPerStep = new Map<number, number>();
      steps.forEach((step, p) => {
        rowsPerStep.set(step, (rowsPerStep.get(step) ?? 0) + 1);
        tokensPerStep.set(step, (tokensPerStep.get(step) ?? 0) + Math.abs(lengths[p]!));
      });
      expect(new Set(rowsPerStep.values()).size).toBeGreaterThan(1);
      expect(Math.max(...tokensPerStep.values())).toBeLessThanOrEqual(MAX_TOKENS);
    });

    it('reads a packed shard file: pack column, list columns of input_ids, labels and position_ids, images', () => {
      const bytes = readFileSync(join(packed.run, 'shards', shardFileKey(0, 0, 'tokens')));
      const ours = readShardColumns(bytes, 'rank 0');
      expect(ours.metadata.formatVersion).toBe('2');
      const tokens = ours.tokens!;
      const df = readIPC(Buffer.from(bytes));
      expect(df.height).toBe(ours.sampleIds.length);
      expect(dtypes(df)).toEqual({
        sample_id: 'DataType(Int32)',
        record_id: 'DataType(String)',
        length: 'DataType(Int32)',
        total_tokens: 'DataType(Int32)',
        trainable_tokens: 'DataType(Int32)',
        modality: 'DataType(UInt8)',
        is_padding: 'DataType(Bool)',
        pack: 'DataType(Int32)',
        input_ids: 'DataType(List(DataType(Int32)))',
        labels: 'DataType(List(DataType(Int32)))',
        position_ids: 'DataType(List(DataType(Int32)))',
        images: 'DataType(List(DataType(String)))',
        image_tokens: 'DataType(List(DataType(Int32)))',
      });
      expect(values(df, 'sample_id')).toEqual(ours.sampleIds);
      expect(df.getColumn('record_id').toArray()).toEqual(Array.from(ours.sampleIds, (_, p) => utf8At(ours.recordIds, p)));
      expect(values(df, 'total_tokens')).toEqual(ours.totalTokens);
      expect(values(df, 'pack')).toEqual(ours.pack);
      const rows = (name: string) => df.getColumn(name).toArray() as unknown as number[][];
      const listOf = (flat: Int32Array, offsets: Int32Array) => Array.from(ours.sampleIds, (_, p) => Array.from(flat.subarray(offsets[p], offsets[p + 1])));
      expect(rows('input_ids')).toEqual(listOf(tokens.inputIds, tokens.tokenOffsets));
      expect(rows('labels')).toEqual(listOf(tokens.labels, tokens.tokenOffsets));
      expect(rows('position_ids')).toEqual(listOf(tokens.positionIds!, tokens.tokenOffsets));
      expect(rows('image_tokens')).toEqual(listOf(tokens.imageTokens, tokens.imageOffsets));
      expect(df.getColumn('images').toArray()).toEqual(
        Array.from(ours.sampleIds, (_, p) =>
          Array.from({ length: tokens.imageOffsets[p + 1]! - tokens.imageOffsets[p]! }, (_, k) => utf8At(tokens.images, tokens.imageOffsets[p]! + k)),
        ),
      );
      // Read by polars alone: positions restart at 0 for every sample, a later sample's first label is masked.
      const packStarts = new Set(packStartsOfColumn(values(df, 'pack') as Int32Array, ours.stepStarts));
      expect(packStarts.size).toBeLessThan(df.height);
      for (const positions of rows('position_ids')) expect(positions[0]).toBe(0);
      rows('labels').forEach((labels, p) => {
        if (!packStarts.has(p)) expect(labels[0]).toBe(IGNORE_INDEX);
      });
    });
  });
});
