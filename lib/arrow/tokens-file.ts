/**
 * A chunk's tokenized samples as an Arrow IPC file: one row per sample, list columns for the
 * tokens and images, built zero-copy from the flat typed arrays of TokenizedSamples.
 */
import {
  Dictionary,
  Field,
  Int32,
  Int64,
  List,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  makeData,
  makeVector,
  type Data,
  type Vector,
} from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError } from '../core/errors.js';
import { utf8ColumnFromStrings, type Utf8Column } from '../core/index/length-index.js';
import { validateTokenizedSamples, type TokenizedSamples } from '../core/tokenize/tokenized-samples.js';
import { columnChunks, missingOr, parseArrowMetadata, readArrowFile } from './ipc-read.js';
import { readInt32List, readUtf8, readUtf8List, readDictionary, readInt64 } from './list-columns.js';
import { viewInt32List, viewUtf8, viewUtf8List } from './column-views.js';

/** `megashard.kind` of a tokens file. */
export const TOKENS_KIND = 'tokens';
/** `megashard.format_version` of tokens files; bump on any change of columns or meaning. */
export const TOKENS_FORMAT_VERSION = '1';

const SOURCE_TYPE = new Dictionary(new Utf8(), new Int32(), 0);
const int32List = () => new List(new Field('item', new Int32(), false));
const FIELDS = [
  new Field('record_id', new Utf8(), false),
  new Field('source', SOURCE_TYPE, false),
  new Field('source_offset', new Int64(), false),
  new Field('input_ids', int32List(), false),
  new Field('labels', int32List(), false),
  new Field('images', new List(new Field('item', new Utf8(), false)), false),
  new Field('image_tokens', int32List(), false),
  new Field('image_width', int32List(), false),
  new Field('image_height', int32List(), false),
];

/** What produced the tokens, written into the file's metadata. */
export interface TokensProvenance {
  readonly tokenizerFingerprint: string;
  /** Canonical JSON of the template config. */
  readonly templateJson: string;
  /** Canonical JSON of the image-token rule. */
  readonly imageTokenRuleJson: string;
}

/** Encode tokenized samples (one record batch) as Arrow IPC file bytes. Same input → same bytes. */
export function encodeTokensFile(samples: TokenizedSamples, provenance: TokensProvenance): Uint8Array {
  validateTokenizedSamples(samples);
  const n = samples.sampleCount;
  const schema = new Schema(
    FIELDS,
    new Map([
      ['megashard.kind', TOKENS_KIND],
      ['megashard.format_version', TOKENS_FORMAT_VERSION],
      ['megashard.tokenizer_fingerprint', provenance.tokenizerFingerprint],
      ['megashard.template', provenance.templateJson],
      ['megashard.image_token_rule', provenance.imageTokenRuleJson],
    ]),
  );
  const dictionary = makeVector(utf8Data(utf8ColumnFromStrings(samples.sourceNames)));
  const list = (offsets: Int32Array, child: Data, field: Field) => makeData({ type: new List(field), length: n, nullCount: 0, valueOffsets: offsets, child });
  const ints = (values: Int32Array) => makeData({ type: new Int32(), length: values.length, nullCount: 0, data: values });
  const imageItem = new Field('item', new Utf8(), false);
  const children: Data[] = [
    utf8Data(samples.recordIds),
    makeData({ type: SOURCE_TYPE, length: n, nullCount: 0, data: samples.sourceIndex, dictionary: dictionary as Vector<Utf8> }),
    makeData({ type: new Int64(), length: n, nullCount: 0, data: samples.sourceOffsets }),
    // Each list column gets its own offsets buffer: arrow-js's writer coalesces output buffers that
    // share memory and touch, which corrupts the file when one offsets array backs several columns
    // (always the case for a chunk without images, whose offsets are all zero).
    list(samples.tokenOffsets, ints(samples.inputIds), new Field('item', new Int32(), false)),
    list(samples.tokenOffsets.slice(), ints(samples.labels), new Field('item', new Int32(), false)),
    list(samples.imageOffsets, utf8Data(samples.images), imageItem),
    list(samples.imageOffsets.slice(), ints(samples.imageTokens), new Field('item', new Int32(), false)),
    list(samples.imageOffsets.slice(), ints(samples.imageWidths), new Field('item', new Int32(), false)),
    list(samples.imageOffsets.slice(), ints(samples.imageHeights), new Field('item', new Int32(), false)),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
  return RecordBatchFileWriter.writeAll([batch]).toUint8Array(true);
}

function utf8Data(column: Utf8Column): Data<Utf8> {
  const length = column.offsets.length - 1;
  return makeData({ type: new Utf8(), length, nullCount: 0, valueOffsets: column.offsets, data: column.bytes });
}

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(TOKENS_KIND, { error: missingOr(`must be "${TOKENS_KIND}" (is this a tokens file?)`) }),
    'megashard.format_version': z.literal(TOKENS_FORMAT_VERSION, { error: missingOr(`must be "${TOKENS_FORMAT_VERSION}"`) }),
    'megashard.tokenizer_fingerprint': z.string({ error: missingOr('must be a string') }).min(1),
    'megashard.template': z.string({ error: missingOr('must be a string') }),
    'megashard.image_token_rule': z.string({ error: missingOr('must be a string') }),
  })
  .transform((m) => ({
    tokenizerFingerprint: m['megashard.tokenizer_fingerprint'],
    templateJson: m['megashard.template'],
    imageTokenRuleJson: m['megashard.image_token_rule'],
  }));

/** Decode a tokens file back into TokenizedSamples; anything unexpected is a CorruptArtifactError. */
export function decodeTokensFile(bytes: Uint8Array, source = 'tokens file'): { samples: TokenizedSamples; provenance: TokensProvenance } {
  const table = readArrowFile(bytes, source);
  const provenance = parseArrowMetadata(table.schema.metadata, metadataSchema, source);
  const n = table.numRows;
  const chunks = (name: string) => columnChunks(table, name, FIELDS.find((f) => f.name === name)!.type, source);
  const tokens = readInt32List(chunks('input_ids'), n);
  const labels = readInt32List(chunks('labels'), n);
  if (labels.values.length !== tokens.values.length || labels.offsets.some((o, i) => o !== tokens.offsets[i])) {
    throw new CorruptArtifactError(source, 'labels and input_ids have different lengths');
  }
  const images = readUtf8List(chunks('images'), n);
  const { names: sourceNames, indices: sourceIndex } = readDictionary(chunks('source'), n);
  const samples: TokenizedSamples = {
    sampleCount: n,
    recordIds: readUtf8(chunks('record_id'), n),
    sourceNames,
    sourceIndex,
    sourceOffsets: readInt64(chunks('source_offset'), n),
    inputIds: tokens.values,
    labels: labels.values,
    tokenOffsets: tokens.offsets,
    images: images.values,
    imageOffsets: images.offsets,
    imageTokens: readInt32List(chunks('image_tokens'), n).values,
    imageWidths: readInt32List(chunks('image_width'), n).values,
    imageHeights: readInt32List(chunks('image_height'), n).values,
  };
  try {
    validateTokenizedSamples(samples);
  } catch (error) {
    throw new CorruptArtifactError(source, (error as Error).message);
  }
  return { samples, provenance };
}

/** The columns of a tokens file that shards are made of (no source, offsets or pixel sizes). */
export type TokensFileRows = Pick<
  TokenizedSamples,
  'sampleCount' | 'recordIds' | 'inputIds' | 'labels' | 'tokenOffsets' | 'images' | 'imageOffsets' | 'imageTokens'
>;

/**
 * Decode only the columns shards copy from, as views onto `bytes` (no copy of the file's tokens):
 * A shard writer reading every tokens file its ranks drew from copied a fraction of their rows, so
 * decoding whole files dominated it. The views share `bytes`; the caller must not mutate either.
 * Offsets and lengths are checked as decodeTokensFile checks them.
 */
export function decodeTokensFileRows(bytes: Uint8Array, source = 'tokens file'): { rows: TokensFileRows; provenance: TokensProvenance } {
  const table = readArrowFile(bytes, source);
  const provenance = parseArrowMetadata(table.schema.metadata, metadataSchema, source);
  const n = table.numRows;
  const chunks = (name: string) => columnChunks(table, name, FIELDS.find((f) => f.name === name)!.type, source);
  const tokens = viewInt32List(chunks('input_ids'), n);
  const labels = viewInt32List(chunks('labels'), n);
  if (labels.values.length !== tokens.values.length || labels.offsets.some((o, i) => o !== tokens.offsets[i])) {
    throw new CorruptArtifactError(source, 'labels and input_ids have different lengths');
  }
  const images = viewUtf8List(chunks('images'), n);
  const imageTokens = viewInt32List(chunks('image_tokens'), n);
  const rows: TokensFileRows = {
    sampleCount: n,
    recordIds: viewUtf8(chunks('record_id'), n),
    inputIds: tokens.values,
    labels: labels.values,
    tokenOffsets: tokens.offsets,
    images: images.values,
    imageOffsets: images.offsets,
    imageTokens: imageTokens.values,
  };
  const imageCount = images.offsets[n]!;
  const fail = (why: string): never => {
    throw new CorruptArtifactError(source, why);
  };
  if (tokens.offsets[n] !== tokens.values.length) fail('input_ids offsets do not end at the number of tokens');
  if (images.values.offsets.length !== imageCount + 1) fail(`images has ${images.values.offsets.length - 1} items; its offsets say ${imageCount}`);
  if (imageTokens.values.length !== imageCount || imageTokens.offsets.some((o, i) => o !== images.offsets[i]))
    fail('image_tokens and images have different lengths');
  for (let i = 0; i < n; i++) {
    if (tokens.offsets[i]! > tokens.offsets[i + 1]!) fail(`input_ids offsets[${i}] decrease`);
    if (images.offsets[i]! > images.offsets[i + 1]!) fail(`images offsets[${i}] decrease`);
  }
  return { rows, provenance };
}
