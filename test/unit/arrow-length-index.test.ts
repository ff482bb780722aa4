import { Field, Float64, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, Uint32, makeData, tableFromIPC, tableToIPC, type Data } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeLengthIndex, encodeLengthIndex } from '../../lib/arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { fingerprintLengthIndex } from '../../lib/core/fingerprint.js';
import { utf8ColumnFromStrings, type LengthIndex } from '../../lib/core/index/length-index.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

const encode = (index: LengthIndex, maxRowsPerBatch?: number) => encodeLengthIndex(index, maxRowsPerBatch ? { maxRowsPerBatch } : {});

/**
 * Re-write an encoded file with edited metadata and/or columns, using apache-arrow directly: the
 * only way to make the malformed files our encoder refuses to write.
 */
function rewrite(bytes: Uint8Array, edit: { metadata?: (m: Map<string, string>) => void; columns?: (fields: Field[], children: Data[]) => void }): Uint8Array {
  const table = tableFromIPC(bytes);
  const metadata = new Map(table.schema.metadata);
  edit.metadata?.(metadata);
  const batches = table.batches.map((batch) => {
    const fields = [...table.schema.fields];
    const children = [...batch.data.children];
    edit.columns?.(fields, children);
    const data = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children });
    return new RecordBatch(new Schema(fields, metadata), data);
  });
  return RecordBatchFileWriter.writeAll(batches).toUint8Array(true);
}

/** Replace column `name` in every batch (fields and children stay parallel). */
function replaceColumn(name: string, field: Field, makeChild: (old: Data) => Data) {
  return (fields: Field[], children: Data[]) => {
    const at = fields.findIndex((f) => f.name === name);
    fields[at] = field;
    children[at] = makeChild(children[at]!);
  };
}

/** Byte equality without vitest's element-by-element diffing (slow on large arrays). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(actual, expected)).toBe(0);
}

function expectCorrupt(run: () => unknown, ...fragments: Array<string | RegExp>): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CorruptArtifactError);
  for (const fragment of fragments) expect((caught as Error).message).toMatch(fragment);
}

describe('length-index Arrow file: round trip', () => {
  const index = makeLengthIndexFixture(1000, 21);
  const bytes = encode(index);

  it('decodes to the same columns and metadata', () => {
    const { index: decoded, metadata } = decodeLengthIndex(bytes, 'idx.arrow');
    expect(decoded).toEqual(index);
    expect(metadata).toEqual({
      kind: 'length-index',
      formatVersion: '1',
      fingerprint: fingerprintLengthIndex(index),
      modalityCodes: { 'text-only': 0, 'image-text': 1, interleaved: 2 },
    });
    expect(fingerprintLengthIndex(decoded)).toBe(metadata.fingerprint);
  });

  it('is the IPC file format (ARROW1 magic at both ends)', () => {
    const magic = new TextEncoder().encode('ARROW1');
    expect(bytes.subarray(0, 6)).toEqual(magic);
    expect(bytes.subarray(bytes.length - 6)).toEqual(magic);
  });

  it('splits rows into record batches of at most maxRowsPerBatch and concatenates them back', () => {
    const batched = encode(index, 64);
    const table = tableFromIPC(batched);
    expect(table.batches.length).toBe(Math.ceil(1000 / 64));
    expect(table.batches.every((b) => b.numRows <= 64)).toBe(true);
    expect(decodeLengthIndex(batched).index).toEqual(index);
  });

  it('writes the same bytes for the same index, and again after a decode', () => {
    expectSameBytes(encode(makeLengthIndexFixture(1000, 21)), bytes);
    expectSameBytes(encode(decodeLengthIndex(bytes).index), bytes);
    const batched = encode(index, 100);
    expectSameBytes(encode(decodeLengthIndex(batched).index, 100), batched);
    expect(Buffer.compare(batched, bytes)).not.toBe(0);
  });

  it('round-trips an empty index', () => {
    const empty = makeLengthIndexFixture(0, 1);
    expect(decodeLengthIndex(encode(empty)).index).toEqual(empty);
  });

  it('keeps non-ASCII and empty record ids, unused source names and offsets beyond 2^53', () => {
    const base = makeLengthIndexFixture(5, 2);
    const index5: LengthIndex = {
      ...base,
      recordIds: utf8ColumnFromStrings(['', 'régime/1', '图像-2', '', '🙂']),
      sourceNames: [...base.sourceNames, 'never-used'],
      sourceOffsets: BigInt64Array.from([2n ** 62n, 0n, 1n, 2n ** 53n + 1n, 7n]),
    };
    expect(decodeLengthIndex(encode(index5, 2)).index).toEqual(index5);
  });
});

describe('length-index Arrow file: refusing bad input', () => {
  const index = makeLengthIndexFixture(50, 8);
  const bytes = encode(index, 20);

  it('encode rejects an invalid index, fingerprint or batch size', () => {
    const broken = { ...index, totalTokens: index.totalTokens.map((v, i) => (i === 3 ? v + 1 : v)) };
    expect(() => encodeLengthIndex(broken)).toThrow(/index\.totalTokens\[3\]/);
    expect(() => encodeLengthIndex(index, { maxRowsPerBatch: 0 })).toThrow(/maxRowsPerBatch/);
  });

  it.each([
    ['a wrong kind', (m: Map<string, string>) => m.set('megashard.kind', 'plan-rank'), /megashard\.kind" must be "length-index"/],
    ['another format version', (m: Map<string, string>) => m.set('megashard.format_version', '2'), /megashard\.format_version" must be "1"/],
    ['no fingerprint', (m: Map<string, string>) => m.delete('megashard.fingerprint'), /megashard\.fingerprint" is missing/],
    ['a malformed fingerprint', (m: Map<string, string>) => m.set('megashard.fingerprint', 'abc'), /megashard\.fingerprint" must be 64/],
    ['non-JSON modality codes', (m: Map<string, string>) => m.set('megashard.modality_codes', '{'), /modality_codes" is not JSON/],
    ['other modality codes', (m: Map<string, string>) => m.set('megashard.modality_codes', '{"text-only":1}'), /modality_codes" is/],
  ])('metadata with %s is a CorruptArtifactError naming the file and key', (_what, edit, message) => {
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { metadata: edit }), 's3://b/index.arrow'), /^s3:\/\/b\/index\.arrow: /, message);
  });

  it('rejects bytes that are not an Arrow IPC file, a truncated file and the stream format', () => {
    expectCorrupt(() => decodeLengthIndex(new TextEncoder().encode('{"not":"arrow"}'), 'x'), /not an Arrow IPC file/);
    expectCorrupt(() => decodeLengthIndex(bytes.subarray(0, bytes.length - 100), 'x'), /not an Arrow IPC file/);
    expectCorrupt(() => decodeLengthIndex(tableToIPC(tableFromIPC(bytes), 'stream'), 'x'), /not an Arrow IPC file/);
    const garbled = bytes.slice();
    garbled.fill(0xff, 8, garbled.length - 8);
    expectCorrupt(() => decodeLengthIndex(garbled, 'x'), /x: /);
  });

  it('rejects a missing column or a column of another type', () => {
    const dropped = (fields: Field[], children: Data[]) => {
      const at = fields.findIndex((f) => f.name === 'llava_length');
      fields.splice(at, 1);
      children.splice(at, 1);
    };
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { columns: dropped }), 'x'), /column "llava_length" is missing/);
    const asFloat = replaceColumn('total_tokens', new Field('total_tokens', new Float64(), false), (old) =>
      makeData({ type: new Float64(), length: old.length, nullCount: 0, data: Float64Array.from(old.values as Int32Array) }),
    );
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { columns: asFloat }), 'x'), /column "total_tokens" has type Float64; expected Int32/);
  });

  it('rejects nulls, rows out of order and rows that break the index invariants', () => {
    const withNull = replaceColumn('text_tokens', new Field('text_tokens', new Int32(), true), (old) =>
      makeData({ type: new Int32(), length: old.length, nullCount: 1, nullBitmap: new Uint8Array(8).fill(0xfe), data: old.values as Int32Array }),
    );
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { columns: withNull }), 'x'), /column "text_tokens" has 1 nulls/);
    const shuffledIds = replaceColumn('sample_id', new Field('sample_id', new Uint32(), false), (old) =>
      makeData({ type: new Uint32(), length: old.length, nullCount: 0, data: (old.values as Uint32Array).slice().reverse() }),
    );
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { columns: shuffledIds }), 'x'), /sample_id\[0\] is 19; expected the row number 0/);
    const badTotal = replaceColumn('total_tokens', new Field('total_tokens', new Int32(), false), (old) =>
      makeData({ type: new Int32(), length: old.length, nullCount: 0, data: (old.values as Int32Array).map((v) => v + 1) }),
    );
    expectCorrupt(() => decodeLengthIndex(rewrite(bytes, { columns: badTotal }), 'idx'), /^idx: index\.totalTokens\[0\]/);
  });
});
