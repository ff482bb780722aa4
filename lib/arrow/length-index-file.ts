/**
 * The length index as an Arrow IPC file (Feather V2): columns built zero-copy from the LengthIndex
 * typed arrays, split into record batches so huge indices stream, uncompressed so pyarrow and
 * polars can memory-map it. Bytes in, bytes out: the storage port does the I/O.
 */
import {
  Dictionary,
  Field,
  Int32,
  Int64,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  type Data,
  type Vector,
} from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import { MODALITY_CODES, utf8ColumnFromStrings, validateLengthIndex, type LengthIndex, type Utf8Column } from '../core/index/length-index.js';
import { fingerprintLengthIndex } from '../core/fingerprint.js';
import { columnChunks, concatChunks, missingOr, parseArrowMetadata, readArrowFile } from './ipc-read.js';
import { readDictionary, readUtf8 } from './list-columns.js';

/** `megashard.kind` of a length-index file. */
export const LENGTH_INDEX_KIND = 'length-index';
/** `megashard.format_version` written and accepted; any change in columns or semantics bumps it. */
export const LENGTH_INDEX_FORMAT_VERSION = '1';
/** Rows per record batch unless told otherwise: bounded batches let readers stream huge indices. */
export const DEFAULT_MAX_ROWS_PER_BATCH = 1 << 22;

// A fixed dictionary id (arrow-js would otherwise draw one from a global counter), so encoding the
// same index twice gives the same bytes.
const SOURCE_TYPE = new Dictionary(new Utf8(), new Int32(), 0, false);
const FIELDS = [
  new Field('sample_id', new Uint32(), false),
  new Field('record_id', new Utf8(), false),
  new Field('source', SOURCE_TYPE, false),
  new Field('source_offset', new Int64(), false),
  new Field('num_images', new Uint16(), false),
  new Field('text_tokens', new Int32(), false),
  new Field('image_tokens', new Int32(), false),
  new Field('total_tokens', new Int32(), false),
  new Field('trainable_tokens', new Int32(), false),
  new Field('modality', new Uint8(), false),
  new Field('xtuner_length', new Int32(), false),
  new Field('llava_length', new Int32(), false),
  new Field('tokens_row', new Int32(), false),
];
const fieldType = (name: string) => FIELDS.find((f) => f.name === name)!.type;

/** Options of encodeLengthIndex. */
export interface EncodeLengthIndexOptions {
  /** At most this many rows per record batch (default DEFAULT_MAX_ROWS_PER_BATCH); small in tests. */
  readonly maxRowsPerBatch?: number;
}

/** Validated schema metadata of a length-index file. */
export interface LengthIndexMetadata {
  readonly kind: typeof LENGTH_INDEX_KIND;
  readonly formatVersion: typeof LENGTH_INDEX_FORMAT_VERSION;
  readonly fingerprint: string;
  readonly modalityCodes: Readonly<Record<string, number>>;
}

/**
 * Encode a length index as Arrow IPC file bytes (validates the index first). The content
 * fingerprint is computed here, so a file can never carry one that does not match its columns.
 */
export function encodeLengthIndex(index: LengthIndex, options: EncodeLengthIndexOptions = {}): Uint8Array {
  validateLengthIndex(index);
  const { maxRowsPerBatch = DEFAULT_MAX_ROWS_PER_BATCH } = options;
  const fingerprint = fingerprintLengthIndex(index);
  if (!Number.isSafeInteger(maxRowsPerBatch) || maxRowsPerBatch < 1) {
    throw new InvalidInputError('maxRowsPerBatch', `is ${maxRowsPerBatch}; must be an integer ≥ 1`);
  }
  const metadata = new Map([
    ['megashard.kind', LENGTH_INDEX_KIND],
    ['megashard.format_version', LENGTH_INDEX_FORMAT_VERSION],
    ['megashard.fingerprint', fingerprint],
    ['megashard.modality_codes', JSON.stringify(MODALITY_CODES)],
  ]);
  const schema = new Schema(FIELDS, metadata);
  // One dictionary vector shared by every batch: the file writer then writes it once (the file
  // format forbids replacing a dictionary between batches).
  const dictionary = makeVector(utf8Data(utf8ColumnFromStrings(index.sourceNames), 0, index.sourceNames.length));
  const batches: RecordBatch[] = [];
  // An empty index still gets one (empty) batch so readers see the columns.
  for (let start = 0; start < index.sampleCount || batches.length === 0; start += maxRowsPerBatch) {
    batches.push(makeBatch(index, schema, dictionary, start, Math.min(index.sampleCount, start + maxRowsPerBatch)));
  }
  return RecordBatchFileWriter.writeAll(batches).toUint8Array(true);
}

function makeBatch(index: LengthIndex, schema: Schema, dictionary: Vector, start: number, end: number): RecordBatch {
  const length = end - start;
  const sampleIds = new Uint32Array(length);
  for (let i = 0; i < length; i++) sampleIds[i] = start + i;
  const int32 = (values: Int32Array) => makeData({ type: new Int32(), length, nullCount: 0, data: values.subarray(start, end) });
  const children: Data[] = [
    makeData({ type: new Uint32(), length, nullCount: 0, data: sampleIds }),
    utf8Data(index.recordIds, start, end),
    makeData({ type: SOURCE_TYPE, length, nullCount: 0, data: index.sourceIndex.subarray(start, end), dictionary }),
    makeData({ type: new Int64(), length, nullCount: 0, data: index.sourceOffsets.subarray(start, end) }),
    makeData({ type: new Uint16(), length, nullCount: 0, data: index.numImages.subarray(start, end) }),
    int32(index.textTokens),
    int32(index.imageTokens),
    int32(index.totalTokens),
    int32(index.trainableTokens),
    makeData({ type: new Uint8(), length, nullCount: 0, data: index.modality.subarray(start, end) }),
    int32(index.xtunerLength),
    int32(index.llavaLength),
    int32(index.tokensRow),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/** Rows [start, end) of a Utf8Column without copying: the IPC writer rebases the offsets. */
function utf8Data(column: Utf8Column, start: number, end: number): Data<Utf8> {
  const valueOffsets = column.offsets.subarray(start, end + 1);
  return makeData({ type: new Utf8(), length: end - start, nullCount: 0, valueOffsets, data: column.bytes });
}

const codesJson = z.string({ error: missingOr('must be a string') }).transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
});

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(LENGTH_INDEX_KIND, { error: missingOr(`must be "${LENGTH_INDEX_KIND}" (is this a length-index file?)`) }),
    'megashard.format_version': z.literal(LENGTH_INDEX_FORMAT_VERSION, {
      error: missingOr(`must be "${LENGTH_INDEX_FORMAT_VERSION}"; the file was written by another format version: rebuild the index with this megashard`),
    }),
    'megashard.fingerprint': z.string({ error: missingOr('must be a string') }).regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }),
    'megashard.modality_codes': codesJson.pipe(z.record(z.string(), z.number().int())),
  })
  .transform(
    (m): LengthIndexMetadata => ({
      kind: m['megashard.kind'],
      formatVersion: m['megashard.format_version'],
      fingerprint: m['megashard.fingerprint'],
      modalityCodes: m['megashard.modality_codes'],
    }),
  );

/** A decoded length-index file. */
export interface DecodedLengthIndex {
  readonly index: LengthIndex;
  readonly metadata: LengthIndexMetadata;
}

/**
 * Decode length-index file bytes into fresh typed arrays (batches concatenated, no per-row
 * objects). Anything unexpected (kind, version, columns, types, nulls, invariants, a content
 * fingerprint that differs from the stored one) throws
 * CorruptArtifactError naming `source` and the field.
 */
export function decodeLengthIndex(bytes: Uint8Array, source = 'length index'): DecodedLengthIndex {
  const table = readArrowFile(bytes, source);
  const metadata = parseArrowMetadata(table.schema.metadata, metadataSchema, source);
  if (JSON.stringify(metadata.modalityCodes) !== JSON.stringify(MODALITY_CODES)) {
    throw new CorruptArtifactError(
      source,
      `metadata "megashard.modality_codes" is ${JSON.stringify(metadata.modalityCodes)}; expected ${JSON.stringify(MODALITY_CODES)}`,
    );
  }
  const chunks = (name: string) => columnChunks(table, name, fieldType(name), source);
  const n = table.numRows;
  checkSampleIds(chunks('sample_id'), source);
  const { names: sourceNames, indices: sourceIndex } = readDictionary(chunks('source'), n);
  const index: LengthIndex = {
    sampleCount: n,
    recordIds: readUtf8(chunks('record_id'), n),
    sourceNames,
    sourceIndex,
    sourceOffsets: concatChunks(chunks('source_offset'), BigInt64Array, n),
    numImages: concatChunks(chunks('num_images'), Uint16Array, n),
    textTokens: concatChunks(chunks('text_tokens'), Int32Array, n),
    imageTokens: concatChunks(chunks('image_tokens'), Int32Array, n),
    totalTokens: concatChunks(chunks('total_tokens'), Int32Array, n),
    trainableTokens: concatChunks(chunks('trainable_tokens'), Int32Array, n),
    modality: concatChunks(chunks('modality'), Uint8Array, n),
    xtunerLength: concatChunks(chunks('xtuner_length'), Int32Array, n),
    llavaLength: concatChunks(chunks('llava_length'), Int32Array, n),
    tokensRow: concatChunks(chunks('tokens_row'), Int32Array, n),
  };
  try {
    validateLengthIndex(index);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new CorruptArtifactError(source, error.message);
    throw error;
  }
  // A tool that rewrote a column but kept the schema metadata would otherwise slip through with
  // the old identity, and plans of different data would share one run fingerprint.
  const actual = fingerprintLengthIndex(index);
  if (actual !== metadata.fingerprint) {
    throw new CorruptArtifactError(
      source,
      `the columns do not match metadata "megashard.fingerprint" (${metadata.fingerprint.slice(0, 12)}…; content is ${actual.slice(0, 12)}…): the file was changed after megashard wrote it; re-create the index`,
    );
  }
  return { index, metadata };
}

/** sample_id is the row number; a mismatch means rows were reordered or dropped. */
function checkSampleIds(chunks: readonly Data[], source: string): void {
  let row = 0;
  for (const chunk of chunks) {
    const values = chunk.values as Uint32Array;
    for (let i = 0; i < chunk.length; i++, row++) {
      if (values[i] !== row) throw new CorruptArtifactError(source, `column sample_id[${row}] is ${values[i]}; expected the row number ${row}`);
    }
  }
}
