import fc from 'fast-check';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { encodePlanRankFile } from '../../lib/arrow/index.js';
import { encodeShardFile, readShardBatches, readShardColumns, readShardFileInfo, type ShardMeta, type ShardRows } from '../../lib/arrow/shard-file.js';
import { RecordBatchFileWriter, tableFromArrays } from 'apache-arrow';
import { Field, Int64, Schema } from 'apache-arrow';
import { scanBatchedIpcFile } from '../../lib/arrow/ipc-batch-reader.js';
import { encodeBatchedIpcFile } from '../../lib/arrow/ipc-batch-writer.js';
import { SHARD_INDEX_FIELDS, shardMetadataMap } from '../../lib/arrow/shard-schema.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { utf8At, utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';

interface Row {
  id: number;
  record: string;
  length: number;
  padding: boolean;
  ids: number[];
  images: string[];
}

const offsetsOf = (sizes: number[]) => {
  const out = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (out[i + 1] = out[i]! + s));
  return out;
};

/** ShardRows from per-row objects (test convenience only; the writer builds columns directly). */
function rowsOf(rows: Row[], withTokens: boolean): ShardRows {
  const index = {
    sampleIds: Int32Array.from(rows, (r) => r.id),
    recordIds: utf8ColumnFromStrings(rows.map((r) => r.record)),
    lengths: Int32Array.from(rows, (r) => r.length),
    totalTokens: Int32Array.from(rows, (r) => Math.abs(r.length) + 575 * r.images.length),
    trainableTokens: Int32Array.from(rows, (r) => Math.floor(Math.abs(r.length) / 2)),
    modality: Uint8Array.from(rows, (r) => (r.images.length === 0 ? 0 : r.images.length > 1 ? 2 : 1)),
    isPadding: Uint8Array.from(rows, (r) => (r.padding ? 1 : 0)),
  };
  if (!withTokens) return index;
  return {
    ...index,
    tokens: {
      tokenOffsets: offsetsOf(rows.map((r) => r.ids.length)),
      inputIds: Int32Array.from(rows.flatMap((r) => r.ids)),
      labels: Int32Array.from(rows.flatMap((r) => r.ids.map((t, i) => (i === 0 ? -100 : t)))),
      imageOffsets: offsetsOf(rows.map((r) => r.images.length)),
      images: utf8ColumnFromStrings(rows.flatMap((r) => r.images)),
      imageTokens: Int32Array.from(rows.flatMap((r) => r.images.map((_, k) => 576 + k))),
    },
  };
}

const ROWS: Row[] = Array.from({ length: 11 }, (_, p) => ({
  id: (p * 7) % 13,
  record: p === 3 ? '' : `rec-${p}-ü`,
  length: p % 3 === 0 ? -(10 + p) : 20 + p,
  padding: p === 10,
  ids: Array.from({ length: p % 4 === 2 ? 0 : 3 + p }, (_, t) => (t === 1 && p % 3 !== 0 ? -200 : p * 100 + t)),
  images: p % 3 === 0 ? [] : p % 5 === 0 ? [`img/${p}a.jpg`, `img/${p}b.png`] : [`img/${p}.jpg`],
}));

const META: ShardMeta = {
  planFingerprint: 'a'.repeat(64),
  indexFingerprint: 'b'.repeat(64),
  tokenizerFingerprint: 'c'.repeat(64),
  strategyId: 'balanced@1',
  epoch: 2,
  rank: 1,
  worldSize: 3,
  microBatchSize: 4,
  gradientAccumulation: 2,
  firstStep: 5,
};

describe('shard Arrow file', () => {
  it('round-trips the tokens variant: columns, step offsets and metadata', () => {
    const rows = rowsOf(ROWS, true);
    const back = readShardColumns(encodeShardFile(rows, META), 'rank-1.arrow');
    expect(back.metadata).toEqual({ ...META, kind: 'shard', formatVersion: '1', steps: 3, packing: null });
    expect(back.stepStarts).toEqual(Int32Array.from([0, 4, 8, 11]));
    const { metadata: _m, stepStarts: _s, ...columns } = back;
    expect(columns).toEqual(rows);
  });

  it('round-trips the index-only variant, with no token columns', () => {
    const rows = rowsOf(ROWS, false);
    const bytes = encodeShardFile(rows, { ...META, tokenizerFingerprint: '' });
    const back = readShardColumns(bytes, 'rank-1.index.arrow');
    expect(back.metadata).toMatchObject({ kind: 'shard-index', tokenizerFingerprint: '', steps: 3 });
    expect(back.tokens).toBeUndefined();
    const { metadata: _m, stepStarts: _s, ...columns } = back;
    expect(columns).toEqual(rows);
    expect(readShardFileInfo(bytes, 'x')).toEqual({ metadata: back.metadata, recordBatches: 3 });
  });

  it('makes record batch k the micro-batch of step first_step + k, and seeks to a later step', () => {
    const bytes = encodeShardFile(rowsOf(ROWS, true), META);
    const { batches } = readShardBatches(bytes, 'f');
    const all = [...batches];
    expect(all.map((b) => b.step)).toEqual([5, 6, 7]);
    for (const batch of all) {
      const first = (batch.step - 5) * 4;
      const expected = ROWS.slice(first, first + 4);
      expect(Array.from(batch.sampleIds)).toEqual(expected.map((r) => r.id));
      expect(Array.from(batch.isPadding)).toEqual(expected.map((r) => (r.padding ? 1 : 0)));
      expected.forEach((row, p) => {
        expect(utf8At(batch.recordIds, p)).toBe(row.record);
        expect(Array.from(batch.inputIds!.values.subarray(batch.inputIds!.offsets[p], batch.inputIds!.offsets[p + 1]))).toEqual(row.ids);
        const images = batch.images!;
        expect(Array.from({ length: images.offsets[p + 1]! - images.offsets[p]! }, (_, k) => utf8At(images.values, images.offsets[p]! + k))).toEqual(
          row.images,
        );
      });
    }
    const resumed = [...readShardBatches(bytes, 'f', 7).batches];
    expect(resumed).toEqual(all.slice(2));
    expect([...readShardBatches(bytes, 'f', 8).batches]).toEqual([]);
    expect(() => readShardBatches(bytes, 'f', 4)).toThrow(/steps \[5, 8\); cannot start at step 4/);
  });

  it('gives the same bytes for the same inputs, and for its own decoded columns', () => {
    for (const withTokens of [true, false]) {
      const rows = rowsOf(ROWS, withTokens);
      const bytes = encodeShardFile(rows, META);
      expect(encodeShardFile(rowsOf(ROWS, withTokens), META)).toEqual(bytes);
      const { metadata: _m, stepStarts: _s, ...columns } = readShardColumns(bytes, 'f');
      expect(encodeShardFile(columns, META)).toEqual(bytes);
    }
  });

  it('stays readable when steps have no tokens or images, or columns share memory', () => {
    // arrow-js joins adjacent output chunks that share memory; the encoder must never hand it the same bytes twice.
    const empty = ROWS.map((row) => ({ ...row, ids: [], images: [] }));
    for (const batch of [1, 2, 4]) {
      const rows = rowsOf(empty, true);
      const back = readShardColumns(encodeShardFile(rows, { ...META, microBatchSize: batch }), 'empty-lists');
      expect(back.tokens).toEqual(rows.tokens);
      const aliased = { ...rows, trainableTokens: rows.totalTokens, lengths: rows.sampleIds.subarray(0) };
      const { metadata: _m, stepStarts: _s, ...columns } = readShardColumns(encodeShardFile(aliased, { ...META, microBatchSize: batch }), 'aliased');
      expect(columns).toEqual({ ...aliased, trainableTokens: rows.totalTokens.slice(), lengths: rows.sampleIds.slice() });
    }
  });

  it('writes a readable file with no batches for a rank with no entries', () => {
    const bytes = encodeShardFile(rowsOf([], true), { ...META, firstStep: 0 });
    const back = readShardColumns(bytes, 'empty');
    expect(back.metadata.steps).toBe(0);
    expect(back.stepStarts).toEqual(Int32Array.from([0]));
    expect(back.tokens?.tokenOffsets).toEqual(Int32Array.from([0]));
  });

  it('round-trips any rows and batch size (property)', () => {
    const row = fc.record({
      id: fc.integer({ min: 0, max: 1e6 }),
      record: fc.string(),
      length: fc.integer({ min: -5000, max: 5000 }),
      padding: fc.boolean(),
      ids: fc.array(fc.integer({ min: -200, max: 150_000 }), { maxLength: 12 }),
      images: fc.array(fc.string(), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), (rows, batch, withTokens) => {
        const input = rowsOf(rows, withTokens);
        const back = readShardColumns(encodeShardFile(input, { ...META, microBatchSize: batch }), 'p');
        const { metadata, stepStarts, ...columns } = back;
        expect(columns).toEqual(input);
        // arrow-js, an independent decoder, sees the same micro-batches as our batch reader.
        const batches = [...readShardBatches(encodeShardFile(input, { ...META, microBatchSize: batch }), 'p').batches];
        expect(batches.map((b) => Array.from(b.sampleIds))).toEqual(
          Array.from({ length: metadata.steps }, (_, k) => Array.from(input.sampleIds.subarray(stepStarts[k], stepStarts[k + 1]))),
        );
        if (withTokens) expect(batches.flatMap((b) => Array.from(b.labels!.values))).toEqual(Array.from(input.tokens!.labels));
        expect(metadata.steps).toBe(Math.ceil(rows.length / batch));
        expect(Array.from(stepStarts)).toEqual(Array.from({ length: metadata.steps + 1 }, (_, k) => Math.min(rows.length, k * batch)));
      }),
      { numRuns: 60 },
    );
  });

  it('opens in polars with the same columns, types and values', () => {
    const frame = pl.readIPC(Buffer.from(encodeShardFile(rowsOf(ROWS, true), META)));
    expect(frame.height).toBe(11);
    expect(Object.fromEntries(frame.columns.map((name, i) => [name, String(frame.dtypes[i])]))).toEqual({
      sample_id: 'DataType(Int32)',
      record_id: 'DataType(String)',
      length: 'DataType(Int32)',
      total_tokens: 'DataType(Int32)',
      trainable_tokens: 'DataType(Int32)',
      modality: 'DataType(UInt8)',
      is_padding: 'DataType(Bool)',
      input_ids: 'DataType(List(DataType(Int32)))',
      labels: 'DataType(List(DataType(Int32)))',
      images: 'DataType(List(DataType(String)))',
      image_tokens: 'DataType(List(DataType(Int32)))',
    });
    expect(frame.getColumn('sample_id').toArray()).toEqual(ROWS.map((r) => r.id));
    expect(frame.getColumn('is_padding').toArray()).toEqual(ROWS.map((r) => r.padding));
    expect(
      frame
        .getColumn('input_ids')
        .toArray()
        .map((ids: unknown) => Array.from(ids as ArrayLike<number>)),
    ).toEqual(ROWS.map((r) => r.ids));
    expect(
      frame
        .getColumn('images')
        .toArray()
        .map((list: unknown) => Array.from(list as ArrayLike<string>)),
    ).toEqual(ROWS.map((r) => r.images));
  });

  it('scans files other Arrow writers make, sliced batches included', () => {
    const table = tableFromArrays({ a: Int32Array.from({ length: 50 }, (_, i) => i * 3), b: Uint8Array.from({ length: 50 }, (_, i) => i % 7) });
    const sliced = [0, 7, 20, 41].map((start, i, all) => table.batches[0]!.slice(start, all[i + 1] ?? 50));
    const bytes = RecordBatchFileWriter.writeAll(sliced).toUint8Array(true);
    const scanned = scanBatchedIpcFile(bytes, ['int32', 'uint8'], 'arrow-js.arrow');
    expect(Array.from(scanned.batchStarts)).toEqual([0, 7, 20, 41, 50]);
    expect(scanned.columns).toEqual([
      { kind: 'int32', values: table.getChild('a')!.toArray() },
      { kind: 'uint8', values: table.getChild('b')!.toArray() },
    ]);
    expect(() => scanBatchedIpcFile(bytes, ['int32'], 'arrow-js.arrow')).toThrow(/record batch 0: has 2 field nodes and 4 buffers; the schema needs 1 and 2/);
    const shard = encodeShardFile(rowsOf(ROWS, true), META);
    expect(() => readShardColumns(shard.subarray(0, shard.length - 1), 'cut.arrow')).toThrow(CorruptArtifactError);
    // Right names and metadata, wrong type: refused before any batch is scanned.
    const fields = SHARD_INDEX_FIELDS.map((f) => (f.name === 'length' ? new Field('length', new Int64(), false) : f));
    const wrong = encodeBatchedIpcFile(new Schema(fields, shardMetadataMap(META, false, 0)), [], 0, 1);
    expect(() => readShardColumns(wrong, 'int64.arrow')).toThrow(/int64\.arrow: column "length" is Int64; the format has Int32/);
  });

  it('refuses inconsistent input and reports other files as corrupt', () => {
    expect(() => encodeShardFile(rowsOf(ROWS, false), { ...META, rank: 3 })).toThrow(InvalidInputError);
    expect(() => encodeShardFile({ ...rowsOf(ROWS, false), lengths: new Int32Array(3) }, META)).toThrow(/shard\.lengths: has 3 rows; expected 11/);
    const tokens = rowsOf(ROWS, true);
    expect(() => encodeShardFile({ ...tokens, tokens: { ...tokens.tokens!, labels: new Int32Array(1) } }, META)).toThrow(/shard\.tokens\.labels/);
    const plan = {
      strategyId: 'balanced@1',
      epoch: 0,
      worldSize: 1,
      microBatchSize: 1,
      sampleIds: Int32Array.of(0),
      rankStarts: Float64Array.of(0, 1),
      isPadding: Uint8Array.of(0),
      droppedIds: new Int32Array(0),
    };
    const planFile = encodePlanRankFile(plan, 0, Int32Array.of(5), {
      planFingerprint: 'r',
      strategyId: 'balanced@1',
      epoch: 0,
      worldSize: 1,
      microBatchSize: 1,
      gradientAccumulation: 1,
    });
    expect(() => readShardColumns(planFile, 'plan.arrow')).toThrow(CorruptArtifactError);
    expect(() => readShardColumns(planFile, 'plan.arrow')).toThrow(/plan\.arrow: metadata "megashard\.kind" must be "shard" or "shard-index"/);
    expect(() => readShardColumns(new Uint8Array(40), 'zeros.arrow')).toThrow(/zeros\.arrow: is not an Arrow IPC file/);
  });
});
