import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Field, Int32, List, Utf8, makeData, type Data } from 'apache-arrow';
import { decodeTokensFile, decodeTokensFileRows, encodeTokensFile } from '../../lib/arrow/tokens-file.js';
import { viewInt32List, viewUtf8List } from '../../lib/arrow/column-views.js';
import { readInt32List, readUtf8List } from '../../lib/arrow/list-columns.js';
import { encodeLengthIndex } from '../../lib/arrow/index.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';
import { utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';
import type { TokenizedSamples } from '../../lib/core/tokenize/tokenized-samples.js';
import { CorruptArtifactError } from '../../lib/core/errors.js';

const PROVENANCE = { tokenizerFingerprint: 'f'.repeat(64), templateJson: '{"name":"plain"}', imageTokenRuleJson: '{"kind":"fixed","tokensPerImage":576}' };

type Row = { id: string; ids: number[]; images: string[] };

function offsetsOf(sizes: number[]): Int32Array {
  const out = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (out[i + 1] = out[i]! + s));
  return out;
}

function samplesOf(rows: Row[]): TokenizedSamples {
  return {
    sampleCount: rows.length,
    recordIds: utf8ColumnFromStrings(rows.map((r) => r.id)),
    sourceNames: ['a.json'],
    sourceIndex: new Int32Array(rows.length),
    sourceOffsets: BigInt64Array.from(rows, (_, i) => BigInt(i)),
    inputIds: Int32Array.from(rows.flatMap((r) => r.ids)),
    labels: Int32Array.from(rows.flatMap((r) => r.ids.map((id) => (id < 0 ? -100 : id)))),
    tokenOffsets: offsetsOf(rows.map((r) => r.ids.length)),
    images: utf8ColumnFromStrings(rows.flatMap((r) => r.images)),
    imageOffsets: offsetsOf(rows.map((r) => r.images.length)),
    imageTokens: Int32Array.from(rows.flatMap((r) => r.images.map((_, k) => 576 + k))),
    imageWidths: Int32Array.from(rows.flatMap((r) => r.images.map(() => 640))),
    imageHeights: Int32Array.from(rows.flatMap((r) => r.images.map(() => 480))),
  };
}

const rowArb = fc.record({
  id: fc.string({ maxLength: 12 }),
  ids: fc.array(fc.integer({ min: -200, max: 32000 }), { maxLength: 20 }),
  images: fc.array(fc.string({ minLength: 1, maxLength: 16 }), { maxLength: 3 }),
});

describe('decodeTokensFileRows', () => {
  it('gives exactly the columns decodeTokensFile gives, for any rows', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 12 }), (rows) => {
        const bytes = encodeTokensFile(samplesOf(rows), PROVENANCE);
        const { samples } = decodeTokensFile(bytes, 't.arrow');
        const { rows: back, provenance } = decodeTokensFileRows(bytes, 't.arrow');
        expect(provenance).toEqual(PROVENANCE);
        expect(back.sampleCount).toBe(samples.sampleCount);
        for (const key of ['inputIds', 'labels', 'tokenOffsets', 'imageOffsets', 'imageTokens'] as const) expect(back[key]).toEqual(samples[key]);
        expect(back.recordIds).toEqual(samples.recordIds);
        expect(back.images).toEqual(samples.images);
      }),
      { numRuns: 60 },
    );
  });

  it('reads the big columns in place: views onto the file bytes, not copies', () => {
    const bytes = encodeTokensFile(
      samplesOf([
        { id: 'a', ids: [1, -200, 5], images: ['x.jpg'] },
        { id: 'b', ids: [7, 8], images: [] },
      ]),
      PROVENANCE,
    );
    const { rows } = decodeTokensFileRows(bytes, 't.arrow');
    expect(rows.inputIds.buffer).toBe(bytes.buffer);
    expect(rows.labels.buffer).toBe(bytes.buffer);
    expect(rows.images.bytes.buffer).toBe(bytes.buffer);
  });

  it('refuses a file of another kind, naming it', () => {
    const lengthIndex = encodeLengthIndex(makeLengthIndexFixture(10, 1));
    expect(() => decodeTokensFileRows(lengthIndex, 'x.arrow')).toThrow(CorruptArtifactError);
    expect(() => decodeTokensFileRows(lengthIndex, 'x.arrow')).toThrow(/^x\.arrow: .*is this a tokens file/);
  });
});

describe('column views', () => {
  const ints = (values: number[]) => makeData({ type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values) });
  const int32List = (offsets: number[], values: number[]) =>
    makeData({
      type: new List(new Field('item', new Int32(), false)),
      length: offsets.length - 1,
      nullCount: 0,
      valueOffsets: Int32Array.from(offsets),
      child: ints(values),
    });
  const utf8List = (offsets: number[], items: string[]) => {
    const column = utf8ColumnFromStrings(items);
    const child = makeData({ type: new Utf8(), length: items.length, nullCount: 0, valueOffsets: column.offsets, data: column.bytes });
    return makeData({
      type: new List(new Field('item', new Utf8(), false)),
      length: offsets.length - 1,
      nullCount: 0,
      valueOffsets: Int32Array.from(offsets),
      child,
    });
  };

  it('fall back to the copying readers for several chunks or sliced chunks, with the same result', () => {
    const chunks: Data[] = [int32List([0, 2, 3], [1, 2, 3]), int32List([0, 1], [4])];
    expect(viewInt32List(chunks, 3)).toEqual(readInt32List(chunks, 3));
    const sliced = [int32List([0, 2, 3, 5], [1, 2, 3, 4, 5]).slice(1, 2)];
    expect(viewInt32List(sliced, 2)).toEqual(readInt32List(sliced, 2));
    expect(Array.from(viewInt32List(sliced, 2).values)).toEqual([3, 4, 5]);
    const images = [utf8List([0, 1, 1], ['a']), utf8List([0, 2], ['bc', 'd'])];
    expect(viewUtf8List(images, 3)).toEqual(readUtf8List(images, 3));
  });
});
