/**
 * An independent Arrow implementation (polars, Rust) reads the files lib/arrow writes: the
 * training side (pyarrow/polars) must see the same columns, types and values as we do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataFrame } from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLengthIndex, encodePlanRankFile } from '../../lib/arrow/index.js';
import { signedLengths, utf8At } from '../../lib/core/index/length-index.js';
import { offsetsFromCounts, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { hash32, makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

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
});
