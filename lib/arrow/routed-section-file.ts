/**
 * One section of a routed object: the rows one tokens file contributes to one (epoch, rank range),
 * ordered by (rank, position), each with everything its shard row needs besides the plan's own
 * columns — the index's record id, token counts and modality, and the tokens.
 */
import { Field, Int32, List, Uint8, Utf8, type Schema } from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError } from '../core/errors.js';
import type { Utf8Column } from '../core/index/length-index.js';
import { columnAt, decodeFlatColumnsFile, encodeFlatColumnsFile, flatColumnsSchema, type FlatColumnsFormat } from './flat-columns-file.js';
import { missingOr } from './ipc-read.js';
import type { ShardTokenColumns } from './shard-schema.js';

/** `megashard.kind` of a routed section. */
export const ROUTED_SECTION_KIND = 'routed-rows';
/** `megashard.format_version` of routed sections; bump on any change of columns or meaning. */
export const ROUTED_SECTION_FORMAT_VERSION = '1';

const int32 = (name: string) => new Field(name, new Int32(), false);
const int32List = (name: string) => new Field(name, new List(new Field('item', new Int32(), false)), false);
const FORMAT: FlatColumnsFormat = {
  fields: [
    int32('rank'),
    int32('position'),
    int32('sample_id'),
    new Field('record_id', new Utf8(), false),
    int32('total_tokens'),
    int32('trainable_tokens'),
    new Field('modality', new Uint8(), false),
    int32List('input_ids'),
    int32List('labels'),
    new Field('images', new List(new Field('item', new Utf8(), false)), false),
    int32List('image_tokens'),
  ],
  kinds: ['int32', 'int32', 'int32', 'utf8', 'int32', 'int32', 'uint8', 'list-int32', 'list-int32', 'list-utf8', 'list-int32'],
};

/** A section's rows as flat columns; row i goes to rank[i] at position[i]. */
export interface RoutedRows {
  readonly rank: Int32Array;
  readonly position: Int32Array;
  readonly sampleId: Int32Array;
  readonly recordIds: Utf8Column;
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
  readonly tokens: ShardTokenColumns;
}

/** Who made a routed section; the Assemble call checks it is the run's. */
export interface RoutedSectionMeta {
  readonly planFingerprint: string;
  readonly tokenizerFingerprint: string;
}

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(ROUTED_SECTION_KIND, { error: missingOr(`must be "${ROUTED_SECTION_KIND}" (is this a routed section?)`) }),
    'megashard.format_version': z.literal(ROUTED_SECTION_FORMAT_VERSION, { error: missingOr(`must be "${ROUTED_SECTION_FORMAT_VERSION}"`) }),
    'megashard.plan_fingerprint': z.string({ error: missingOr('must be a string') }).min(1),
    'megashard.tokenizer_fingerprint': z.string({ error: missingOr('must be a string') }).min(1),
  })
  .transform((m) => ({ planFingerprint: m['megashard.plan_fingerprint'], tokenizerFingerprint: m['megashard.tokenizer_fingerprint'] }));

/** The schema of a Route call's sections: build it once per call and pass it to every encode. */
export function routedSectionSchema(meta: RoutedSectionMeta): Schema {
  return flatColumnsSchema(
    FORMAT,
    new Map([
      ['megashard.kind', ROUTED_SECTION_KIND],
      ['megashard.format_version', ROUTED_SECTION_FORMAT_VERSION],
      ['megashard.plan_fingerprint', meta.planFingerprint],
      ['megashard.tokenizer_fingerprint', meta.tokenizerFingerprint],
    ]),
  );
}

/**
 * Encode rows [from, to) of `rows` as one section. The variable-width columns are cut by their
 * own offsets, so the section is encoded from views of a whole file's routed rows, uncopied.
 */
export function encodeRoutedSection(schema: Schema, rows: RoutedRows, from: number, to: number): Uint8Array {
  const slice = <A extends Int32Array | Uint8Array>(values: A) => values.subarray(from, to) as A;
  const offsets = (values: Int32Array) => values.subarray(from, to + 1);
  const { tokens } = rows;
  return encodeFlatColumnsFile(
    schema,
    [
      { kind: 'int32', values: slice(rows.rank) },
      { kind: 'int32', values: slice(rows.position) },
      { kind: 'int32', values: slice(rows.sampleId) },
      { kind: 'utf8', column: { bytes: rows.recordIds.bytes, offsets: offsets(rows.recordIds.offsets) } },
      { kind: 'int32', values: slice(rows.totalTokens) },
      { kind: 'int32', values: slice(rows.trainableTokens) },
      { kind: 'uint8', values: slice(rows.modality) },
      { kind: 'list-int32', offsets: offsets(tokens.tokenOffsets), values: tokens.inputIds },
      { kind: 'list-int32', offsets: offsets(tokens.tokenOffsets), values: tokens.labels },
      { kind: 'list-utf8', offsets: offsets(tokens.imageOffsets), items: tokens.images },
      { kind: 'list-int32', offsets: offsets(tokens.imageOffsets), values: tokens.imageTokens },
    ],
    to - from,
  );
}

/** Decode a routed section (columns copied out of `bytes`). */
export function decodeRoutedSection(bytes: Uint8Array, where: string): { rows: RoutedRows; meta: RoutedSectionMeta; count: number } {
  const file = decodeFlatColumnsFile(bytes, FORMAT, metadataSchema, where);
  const int = (i: number) => columnAt(file, i, 'int32').values;
  const inputIds = columnAt(file, 7, 'list-int32');
  const labels = columnAt(file, 8, 'list-int32');
  const images = columnAt(file, 9, 'list-utf8');
  const imageTokens = columnAt(file, 10, 'list-int32');
  const rows: RoutedRows = {
    rank: int(0),
    position: int(1),
    sampleId: int(2),
    recordIds: columnAt(file, 3, 'utf8').column,
    totalTokens: int(4),
    trainableTokens: int(5),
    modality: columnAt(file, 6, 'uint8').values,
    tokens: {
      tokenOffsets: inputIds.offsets,
      inputIds: inputIds.values,
      labels: labels.values,
      imageOffsets: images.offsets,
      images: images.items,
      imageTokens: imageTokens.values,
    },
  };
  checkPairedLists(labels.offsets, inputIds.offsets, 'labels and input_ids', where);
  checkPairedLists(imageTokens.offsets, images.offsets, 'image_tokens and images', where);
  return { rows, meta: file.metadata, count: file.rows };
}

function checkPairedLists(a: Int32Array, b: Int32Array, what: string, where: string): void {
  const differ = a.length !== b.length || a.some((v, i) => v !== b[i]);
  if (differ) throw new CorruptArtifactError(where, `${what} have different lengths in some row`);
}
