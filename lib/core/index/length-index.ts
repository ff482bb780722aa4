/**
 * The per-sample length index, held as columns (one typed array per field, row i = sample i) so
 * that a 10M-sample corpus costs a few hundred MB and no per-sample objects. lib/arrow maps it to
 * and from the Arrow IPC file; everything here is pure.
 */
import { InvalidInputError } from '../errors.js';
import type { LengthColumn } from '../spec/common-fields.js';

/** Modality code of a text-only sample (its signed lengths are negative). */
export const MODALITY_TEXT_ONLY = 0;
/** Modality code of an image–text sample (one or more images with a conversation). */
export const MODALITY_IMAGE_TEXT = 1;
/** Modality code of an interleaved document (images placed inside running text). */
export const MODALITY_INTERLEAVED = 2;
/** Name → code of every modality; written into Arrow metadata so readers need not hard-code it. */
export const MODALITY_CODES = Object.freeze({
  'text-only': MODALITY_TEXT_ONLY,
  'image-text': MODALITY_IMAGE_TEXT,
  interleaved: MODALITY_INTERLEAVED,
});
const MODALITY_COUNT = 3;

/** Strings as Arrow lays them out: UTF-8 bytes plus n+1 offsets (row i = bytes[offsets[i]..offsets[i+1])). */
export interface Utf8Column {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

/** The columnar per-sample length index; every typed array has `sampleCount` rows. */
export interface LengthIndex {
  readonly sampleCount: number;
  /** Record ids from the source, '' where the source has none. */
  readonly recordIds: Utf8Column;
  /** Distinct source names (datasets / files); rows refer to them through sourceIndex. */
  readonly sourceNames: readonly string[];
  readonly sourceIndex: Int32Array;
  /** Byte offset of the record in its source, so a sample can be re-read without a scan. */
  readonly sourceOffsets: BigInt64Array;
  readonly numImages: Uint16Array;
  readonly textTokens: Int32Array;
  readonly imageTokens: Int32Array;
  /** textTokens + imageTokens: the true cost of the sample. */
  readonly totalTokens: Int32Array;
  /** Tokens that carry loss (assistant turns); ≤ totalTokens. */
  readonly trainableTokens: Int32Array;
  /** One of the MODALITY_* codes. */
  readonly modality: Uint8Array;
  /** XTuner's modality length: tokens with each image counted as one, negative for text-only. */
  readonly xtunerLength: Int32Array;
  /** LLaVA's modality length: whitespace word count, negative for text-only. */
  readonly llavaLength: Int32Array;
  /**
   * Where the sample's tokens are: its row in the run's tokens files taken in part order (the
   * tokenize manifest lists them), or -1 when the index was not built by tokenizing (synthetic).
   */
  readonly tokensRow: Int32Array;
}

/** The index's per-sample numeric columns, zeroed, for n samples (the one place their types are chosen). */
export function newNumericIndexColumns(n: number) {
  return {
    numImages: new Uint16Array(n),
    textTokens: new Int32Array(n),
    imageTokens: new Int32Array(n),
    totalTokens: new Int32Array(n),
    trainableTokens: new Int32Array(n),
    modality: new Uint8Array(n),
    xtunerLength: new Int32Array(n),
    llavaLength: new Int32Array(n),
    sourceOffsets: new BigInt64Array(n),
  };
}

/** Names of those columns. */
export const NUMERIC_INDEX_COLUMNS = Object.keys(newNumericIndexColumns(0)) as readonly (keyof ReturnType<typeof newNumericIndexColumns>)[];

/**
 * The signed length a strategy groups by (negative = text-only). 'total' is computed into a new
 * array; 'xtuner' and 'llava' are stored signed already, so the stored column itself is returned
 * (do not mutate it).
 */
export function signedLengths(index: LengthIndex, column: LengthColumn): Int32Array {
  if (column === 'xtuner') return index.xtunerLength;
  if (column === 'llava') return index.llavaLength;
  const { totalTokens, modality } = index;
  const out = new Int32Array(index.sampleCount);
  for (let i = 0; i < out.length; i++) {
    const total = totalTokens[i]!;
    out[i] = modality[i] === MODALITY_TEXT_ONLY ? -total : total;
  }
  return out;
}

/**
 * The lengths a strategy plans with: the column's signed lengths, or their magnitudes for a
 * strategy that does not read the modality sign.
 */
export function lengthsForStrategy(index: LengthIndex, column: LengthColumn, usesModalitySign: boolean): Int32Array {
  const signed = signedLengths(index, column);
  return usesModalitySign ? signed : signed.map(Math.abs);
}

/** Encode strings into a Utf8Column (for tests and small data; the tokenizer fills columns directly). */
export function utf8ColumnFromStrings(strings: readonly string[]): Utf8Column {
  const encoder = new TextEncoder();
  const encoded = strings.map((s) => encoder.encode(s));
  const offsets = new Int32Array(strings.length + 1);
  for (let i = 0; i < encoded.length; i++) offsets[i + 1] = offsets[i]! + encoded[i]!.length;
  const bytes = new Uint8Array(offsets[strings.length]!);
  for (let i = 0; i < encoded.length; i++) bytes.set(encoded[i]!, offsets[i]!);
  return { bytes, offsets };
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The string at row i of a Utf8Column. */
export function utf8At(column: Utf8Column, i: number): string {
  return utf8Decoder.decode(column.bytes.subarray(column.offsets[i], column.offsets[i + 1]));
}

/**
 * Check shapes and per-row invariants, throwing InvalidInputError that names the column and the
 * first offending row (e.g. `index.totalTokens[17]`): a wrong index silently skews every plan.
 */
export function validateLengthIndex(index: LengthIndex): void {
  validateShapes(index);
  validateUtf8Offsets(index.recordIds, 'index.recordIds', index.sampleCount);
  validateRows(index);
}

function validateShapes(index: LengthIndex): void {
  const n = index.sampleCount;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidInputError('index.sampleCount', `is ${n}; must be an integer ≥ 0`);
  }
  const columns = {
    sourceIndex: index.sourceIndex,
    sourceOffsets: index.sourceOffsets,
    numImages: index.numImages,
    textTokens: index.textTokens,
    imageTokens: index.imageTokens,
    totalTokens: index.totalTokens,
    trainableTokens: index.trainableTokens,
    modality: index.modality,
    xtunerLength: index.xtunerLength,
    llavaLength: index.llavaLength,
    tokensRow: index.tokensRow,
  };
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== n) {
      throw new InvalidInputError(`index.${name}`, `has ${column.length} rows; expected sampleCount = ${n}`);
    }
  }
  if (index.recordIds.offsets.length !== n + 1) {
    throw new InvalidInputError('index.recordIds.offsets', `has ${index.recordIds.offsets.length} entries; expected sampleCount + 1 = ${n + 1}`);
  }
}

function validateUtf8Offsets(column: Utf8Column, field: string, n: number): void {
  const { offsets, bytes } = column;
  if (offsets[0] !== 0) throw new InvalidInputError(`${field}.offsets[0]`, `is ${offsets[0]}; must be 0`);
  for (let i = 0; i < n; i++) {
    if (offsets[i + 1]! < offsets[i]!) {
      throw new InvalidInputError(`${field}.offsets[${i + 1}]`, `is ${offsets[i + 1]}, below the previous offset ${offsets[i]}`);
    }
  }
  if (offsets[n]! > bytes.length) {
    throw new InvalidInputError(`${field}.offsets[${n}]`, `is ${offsets[n]}, past the ${bytes.length} bytes of the column`);
  }
}

function validateRows(index: LengthIndex): void {
  const { modality, numImages, textTokens, imageTokens, totalTokens, trainableTokens, sourceIndex, xtunerLength, llavaLength, tokensRow } = index;
  const sourceCount = index.sourceNames.length;
  // Locals only in the loop: this runs on every encode and decode of 10M-row indices.
  for (let i = 0; i < index.sampleCount; i++) {
    const code = modality[i]!;
    const text = textTokens[i]!;
    const image = imageTokens[i]!;
    const total = totalTokens[i]!;
    const trainable = trainableTokens[i]!;
    const source = sourceIndex[i]!;
    const textOnly = code === MODALITY_TEXT_ONLY;
    const badRow =
      code >= MODALITY_COUNT ||
      text < 0 ||
      image < 0 ||
      total !== text + image ||
      trainable < 0 ||
      trainable > total ||
      source < 0 ||
      source >= sourceCount ||
      (textOnly && (numImages[i] !== 0 || image !== 0)) ||
      tokensRow[i]! < -1 ||
      // The modality lengths carry the modality in their sign; a wrong sign misgroups the sample.
      (textOnly ? xtunerLength[i]! > 0 || llavaLength[i]! > 0 : xtunerLength[i]! < 0 || llavaLength[i]! < 0);
    if (badRow) describeBadRow(index, i);
  }
}

/** Throw the error for row i, checked rule by rule so the message names the first broken one. */
function describeBadRow(index: LengthIndex, i: number): never {
  const fail = (column: string, message: string): never => {
    throw new InvalidInputError(`index.${column}[${i}]`, message);
  };
  const code = index.modality[i]!;
  const text = index.textTokens[i]!;
  const image = index.imageTokens[i]!;
  const total = index.totalTokens[i]!;
  const trainable = index.trainableTokens[i]!;
  const source = index.sourceIndex[i]!;
  const sourceCount = index.sourceNames.length;
  if (code >= MODALITY_COUNT) fail('modality', `is ${code}; must be one of ${JSON.stringify(MODALITY_CODES)}`);
  if (text < 0) fail('textTokens', `is ${text}; token counts cannot be negative`);
  if (image < 0) fail('imageTokens', `is ${image}; token counts cannot be negative`);
  if (total !== text + image) fail('totalTokens', `is ${total}; must equal textTokens + imageTokens = ${text + image}`);
  if (trainable < 0 || trainable > total) fail('trainableTokens', `is ${trainable}; must be in [0, totalTokens = ${total}]`);
  if (source < 0 || source >= sourceCount) fail('sourceIndex', `is ${source}; must index sourceNames (0..${sourceCount - 1})`);
  const textOnly = code === MODALITY_TEXT_ONLY;
  if (textOnly && index.numImages[i] !== 0) fail('numImages', `is ${index.numImages[i]}; a text-only sample has no images`);
  if (textOnly && image !== 0) fail('imageTokens', `is ${image}; a text-only sample has no image tokens`);
  const rule = textOnly ? 'must be ≤ 0 for a text-only sample' : 'must be ≥ 0 for a sample with images';
  const xtuner = index.xtunerLength[i]!;
  const llava = index.llavaLength[i]!;
  if (textOnly ? xtuner > 0 : xtuner < 0) fail('xtunerLength', `is ${xtuner}; ${rule}`);
  if (textOnly ? llava > 0 : llava < 0) fail('llavaLength', `is ${llava}; ${rule}`);
  if (index.tokensRow[i]! < -1) fail('tokensRow', `is ${index.tokensRow[i]}; must be a row number ≥ 0, or -1 for no tokens`);
  throw new Error(`describeBadRow: row ${i} broke no rule (validateRows and describeBadRow disagree)`);
}
