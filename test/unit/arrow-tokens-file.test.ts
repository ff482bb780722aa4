import { describe, expect, it } from 'vitest';
import pl from 'nodejs-polars';
import { decodeTokensFile, encodeTokensFile } from '../../lib/arrow/tokens-file.js';
import { encodeLengthIndex } from '../../lib/arrow/index.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';
import { utf8At, utf8ColumnFromStrings } from '../../lib/core/index/length-index.js';
import type { TokenizedSamples } from '../../lib/core/tokenize/tokenized-samples.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';

/** Build TokenizedSamples from per-sample arrays (test convenience only). */
function samplesOf(rows: Array<{ id: string; ids: number[]; labels: number[]; images: string[]; tokens: number[] }>): TokenizedSamples {
  const offsets = (sizes: number[]) => {
    const out = new Int32Array(sizes.length + 1);
    sizes.forEach((s, i) => (out[i + 1] = out[i]! + s));
    return out;
  };
  return {
    sampleCount: rows.length,
    recordIds: utf8ColumnFromStrings(rows.map((r) => r.id)),
    sourceNames: ['a.json', 'b.jsonl'],
    sourceIndex: Int32Array.from(rows, (_, i) => i % 2),
    sourceOffsets: BigInt64Array.from(rows, (_, i) => BigInt(i * 100)),
    inputIds: Int32Array.from(rows.flatMap((r) => r.ids)),
    labels: Int32Array.from(rows.flatMap((r) => r.labels)),
    tokenOffsets: offsets(rows.map((r) => r.ids.length)),
    images: utf8ColumnFromStrings(rows.flatMap((r) => r.images)),
    imageOffsets: offsets(rows.map((r) => r.images.length)),
    imageTokens: Int32Array.from(rows.flatMap((r) => r.tokens)),
    imageWidths: Int32Array.from(rows.flatMap((r) => r.images.map(() => 640))),
    imageHeights: Int32Array.from(rows.flatMap((r) => r.images.map(() => 480))),
  };
}

const ROWS = [
  { id: '000001', ids: [1, -200, 450, 13], labels: [-100, -100, 450, 13], images: ['00001/1.jpg'], tokens: [576] },
  { id: 'text-only', ids: [1, 5, 6, 7, 2], labels: [-100, -100, 6, 7, 2], images: [], tokens: [] },
  { id: '', ids: [], labels: [], images: [], tokens: [] },
  { id: 'doc', ids: [1, -200, 9, -200, 10, 2], labels: [-100, -100, 9, -100, 10, 2], images: ['x.png', 'ü.jpg'], tokens: [576, 2928] },
];
const PROVENANCE = { tokenizerFingerprint: 'f'.repeat(64), templateJson: '{"name":"plain"}', imageTokenRuleJson: '{"kind":"fixed","tokensPerImage":576}' };

describe('tokens Arrow file', () => {
  it('round-trips every column, list offsets and metadata, and re-encodes to the same bytes', () => {
    const samples = samplesOf(ROWS);
    const bytes = encodeTokensFile(samples, PROVENANCE);
    const { samples: back, provenance } = decodeTokensFile(bytes, 'chunk-0.arrow');
    expect(provenance).toEqual(PROVENANCE);
    expect(back.inputIds).toEqual(samples.inputIds);
    expect(back.labels).toEqual(samples.labels);
    expect(back.tokenOffsets).toEqual(samples.tokenOffsets);
    expect(back.imageOffsets).toEqual(samples.imageOffsets);
    expect(back.imageTokens).toEqual(samples.imageTokens);
    expect([utf8At(back.images, 0), utf8At(back.images, 2)]).toEqual(['00001/1.jpg', 'ü.jpg']);
    expect(utf8At(back.recordIds, 3)).toBe('doc');
    expect(back.sourceOffsets).toEqual(samples.sourceOffsets);
    expect(encodeTokensFile(back, PROVENANCE)).toEqual(bytes);
  });

  it('round-trips a chunk without any image (text-only corpus), whose image columns share empty buffers', () => {
    const textOnly = ROWS.filter((row) => row.images.length === 0).concat([{ id: 'more', ids: [1, 8, 2], labels: [-100, 8, 2], images: [], tokens: [] }]);
    const samples = samplesOf(textOnly);
    const { samples: back } = decodeTokensFile(encodeTokensFile(samples, PROVENANCE), 'text-only.arrow');
    expect(back.sampleCount).toBe(3);
    expect(back.inputIds).toEqual(samples.inputIds);
    expect(back.labels).toEqual(samples.labels);
    expect(back.tokenOffsets).toEqual(samples.tokenOffsets);
    expect(Array.from(back.imageOffsets)).toEqual([0, 0, 0, 0]);
    expect(back.imageTokens).toHaveLength(0);
  });

  it('opens in polars with list columns intact', () => {
    const frame = pl.readIPC(Buffer.from(encodeTokensFile(samplesOf(ROWS), PROVENANCE)));
    expect(frame.height).toBe(4);
    expect(
      frame
        .getColumn('input_ids')
        .toArray()
        .map((list: unknown) => Array.from(list as Iterable<number>)),
    ).toEqual(ROWS.map((r) => r.ids));
    expect(
      frame
        .getColumn('images')
        .toArray()
        .map((list: unknown) => Array.from(list as Iterable<string>)),
    ).toEqual(ROWS.map((r) => r.images));
  });

  it('refuses inconsistent columns on write and a wrong kind on read', () => {
    const bad = { ...samplesOf(ROWS), labels: new Int32Array(3) };
    expect(() => encodeTokensFile(bad, PROVENANCE)).toThrow(InvalidInputError);
    const lengthIndex = encodeLengthIndex(makeLengthIndexFixture(10, 1));
    expect(() => decodeTokensFile(lengthIndex, 'x.arrow')).toThrow(CorruptArtifactError);
    expect(() => decodeTokensFile(lengthIndex, 'x.arrow')).toThrow(/^x\.arrow: .*is this a tokens file/);
  });
});
