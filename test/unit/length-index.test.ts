import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import {
  MODALITY_CODES,
  MODALITY_IMAGE_TEXT,
  MODALITY_TEXT_ONLY,
  signedLengths,
  utf8At,
  utf8ColumnFromStrings,
  validateLengthIndex,
  type LengthIndex,
} from '../../lib/core/index/length-index.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';

/** The InvalidInputError validateLengthIndex throws for `index`, or a failure if it throws none. */
function validationError(index: LengthIndex): InvalidInputError {
  try {
    validateLengthIndex(index);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('validateLengthIndex accepted an invalid index');
}

type NumericColumn = Exclude<keyof LengthIndex, 'sampleCount' | 'recordIds' | 'sourceNames'>;

/** A fixture copy with one column replaced by a mutated copy. */
function withColumn<K extends NumericColumn>(index: LengthIndex, key: K, edit: (column: LengthIndex[K]) => void): LengthIndex {
  const column = (index[key] as unknown as { slice(): LengthIndex[K] }).slice();
  edit(column);
  return { ...index, [key]: column };
}

const firstRow = (index: LengthIndex, modality: number, from = 0) => index.modality.indexOf(modality, from);

describe('signedLengths', () => {
  const index = makeLengthIndexFixture(500, 3);

  it("'total' is totalTokens, negated for text-only rows, in a new array", () => {
    const lengths = signedLengths(index, 'total');
    expect(lengths).not.toBe(index.totalTokens);
    expect(lengths).toBeInstanceOf(Int32Array);
    for (let i = 0; i < index.sampleCount; i++) {
      const expected = index.modality[i] === MODALITY_TEXT_ONLY ? -index.totalTokens[i]! : index.totalTokens[i]!;
      expect(lengths[i]).toBe(expected);
    }
    expect(lengths.some((v) => v < 0)).toBe(true);
    expect(lengths.some((v) => v > 0)).toBe(true);
  });

  it("'xtuner' and 'llava' are the stored signed columns", () => {
    expect(signedLengths(index, 'xtuner')).toBe(index.xtunerLength);
    expect(signedLengths(index, 'llava')).toBe(index.llavaLength);
  });
});

describe('utf8 columns', () => {
  it('round-trips strings, including empty and non-ASCII ones', () => {
    const strings = ['', 'a', 'ünïcødé', '图像', '', 'emoji 🙂'];
    const column = utf8ColumnFromStrings(strings);
    expect(column.offsets.length).toBe(strings.length + 1);
    expect(strings.map((_, i) => utf8At(column, i))).toEqual(strings);
  });
});

describe('validateLengthIndex', () => {
  it('accepts fixtures of several sizes and seeds, including an empty index', () => {
    for (const [n, seed] of [
      [0, 1],
      [1, 2],
      [1000, 3],
      [4096, 4],
    ] as const) {
      expect(() => validateLengthIndex(makeLengthIndexFixture(n, seed))).not.toThrow();
    }
  });

  const base = makeLengthIndexFixture(200, 11);
  const textRow = firstRow(base, MODALITY_TEXT_ONLY, 20);
  const imageRow = firstRow(base, MODALITY_IMAGE_TEXT, 20);

  it.each([
    [
      'totalTokens',
      'index.totalTokens[17]',
      (ix: LengthIndex) =>
        withColumn(ix, 'totalTokens', (c) => {
          c[17] = c[17]! + 1;
        }),
    ],
    [
      'trainableTokens above total',
      'index.trainableTokens[5]',
      (ix: LengthIndex) =>
        withColumn(ix, 'trainableTokens', (c) => {
          c[5] = ix.totalTokens[5]! + 1;
        }),
    ],
    [
      'negative trainableTokens',
      'index.trainableTokens[6]',
      (ix: LengthIndex) =>
        withColumn(ix, 'trainableTokens', (c) => {
          c[6] = -1;
        }),
    ],
    [
      'modality code',
      'index.modality[42]',
      (ix: LengthIndex) =>
        withColumn(ix, 'modality', (c) => {
          c[42] = 3;
        }),
    ],
    [
      'sourceIndex',
      'index.sourceIndex[9]',
      (ix: LengthIndex) =>
        withColumn(ix, 'sourceIndex', (c) => {
          c[9] = ix.sourceNames.length;
        }),
    ],
    [
      'negative sourceIndex',
      'index.sourceIndex[10]',
      (ix: LengthIndex) =>
        withColumn(ix, 'sourceIndex', (c) => {
          c[10] = -1;
        }),
    ],
    [
      'tokensRow below -1',
      'index.tokensRow[11]',
      (ix: LengthIndex) =>
        withColumn(ix, 'tokensRow', (c) => {
          c[11] = -2;
        }),
    ],
  ])('names the column and row: %s', (_name, field, corrupt) => {
    const error = validationError(corrupt(base));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rejects images on a text-only row', () => {
    expect(
      validationError(
        withColumn(base, 'numImages', (c) => {
          c[textRow] = 1;
        }),
      ).field,
    ).toBe(`index.numImages[${textRow}]`);
    // Keep total = text + image so the image-token rule is the one that fires.
    const withImageTokens = withColumn(
      withColumn(base, 'imageTokens', (c) => {
        c[textRow] = 576;
      }),
      'totalTokens',
      (c) => {
        c[textRow] = c[textRow]! + 576;
      },
    );
    expect(validationError(withImageTokens).field).toBe(`index.imageTokens[${textRow}]`);
  });

  it('rejects a signed length whose sign contradicts the modality', () => {
    expect(
      validationError(
        withColumn(base, 'xtunerLength', (c) => {
          c[textRow] = 5;
        }),
      ).field,
    ).toBe(`index.xtunerLength[${textRow}]`);
    expect(
      validationError(
        withColumn(base, 'llavaLength', (c) => {
          c[imageRow] = -5;
        }),
      ).field,
    ).toBe(`index.llavaLength[${imageRow}]`);
  });

  it('rejects a column whose row count differs from sampleCount', () => {
    const error = validationError({ ...base, textTokens: base.textTokens.subarray(0, 199) });
    expect(error.field).toBe('index.textTokens');
    expect(error.message).toMatch(/199 rows; expected sampleCount = 200/);
  });

  it('rejects record-id offsets that go backwards or past the bytes', () => {
    const offsets = base.recordIds.offsets.slice();
    offsets[30] = offsets[29]! - 1;
    expect(validationError({ ...base, recordIds: { ...base.recordIds, offsets } }).field).toBe('index.recordIds.offsets[30]');
    const short = { bytes: base.recordIds.bytes.subarray(0, 10), offsets: base.recordIds.offsets };
    expect(validationError({ ...base, recordIds: short }).field).toBe('index.recordIds.offsets[200]');
  });

  it('exports the modality codes it checks', () => {
    expect(MODALITY_CODES).toEqual({ 'text-only': 0, 'image-text': 1, interleaved: 2 });
  });
});
