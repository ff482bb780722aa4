/**
 * A route list: the planned entries of one epoch whose samples live in one tokens file, in the
 * order the Route call writes them (section, rank, position), with what the shard rows repeat from
 * the length index. PlanShards writes one per (epoch, tokens file) from the plan and the index, so
 * a Route call needs neither: it reads its route lists and its tokens file, nothing else.
 */
import { Field, Int32, Uint8, Utf8 } from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError } from '../core/errors.js';
import type { Utf8Column } from '../core/index/length-index.js';
import { columnAt, decodeFlatColumnsFile, encodeFlatColumnsFile, flatColumnsSchema, type FlatColumnsFormat } from './flat-columns-file.js';
import { metadataDecimal, missingOr } from './ipc-read.js';

/** `megashard.kind` of a route list. */
export const ROUTE_LIST_KIND = 'shard-route-list';
/** `megashard.format_version` of route lists; bump on any change of columns or meaning. */
export const ROUTE_LIST_FORMAT_VERSION = '1';

const int32 = (name: string) => new Field(name, new Int32(), false);
const FORMAT: FlatColumnsFormat = {
  fields: [
    int32('section'),
    int32('rank'),
    int32('position'),
    int32('local_row'),
    int32('sample_id'),
    new Field('record_id', new Utf8(), false),
    int32('input_ids'),
    int32('images'),
    int32('total_tokens'),
    int32('trainable_tokens'),
    new Field('modality', new Uint8(), false),
  ],
  kinds: ['int32', 'int32', 'int32', 'int32', 'int32', 'utf8', 'int32', 'int32', 'int32', 'int32', 'uint8'],
};

/** The entries of a route list, column by column (row i is one planned entry). */
export interface RouteListRows {
  readonly section: Int32Array;
  readonly rank: Int32Array;
  readonly position: Int32Array;
  /** Row of the sample in the tokens file. */
  readonly localRow: Int32Array;
  readonly sampleId: Int32Array;
  /** The index's record id: the tokens row must carry the same. */
  readonly recordIds: Utf8Column;
  /** input_ids the index expects the tokens row to hold (text tokens + one sentinel per image). */
  readonly inputIds: Int32Array;
  /** Images the index expects the tokens row to hold. */
  readonly images: Int32Array;
  readonly totalTokens: Int32Array;
  readonly trainableTokens: Int32Array;
  readonly modality: Uint8Array;
}

/** What a route list says about itself. */
export interface RouteListMeta {
  readonly planFingerprint: string;
  readonly tokenizerFingerprint: string;
  readonly epoch: number;
  /** Position of its tokens file in tokenize.json. */
  readonly file: number;
  /** Sections of the whole run (the length of every routed object's offset table). */
  readonly sections: number;
}

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(ROUTE_LIST_KIND, { error: missingOr(`must be "${ROUTE_LIST_KIND}" (is this a route list?)`) }),
    'megashard.format_version': z.literal(ROUTE_LIST_FORMAT_VERSION, { error: missingOr(`must be "${ROUTE_LIST_FORMAT_VERSION}"`) }),
    'megashard.plan_fingerprint': z.string({ error: missingOr('must be a string') }).min(1),
    'megashard.tokenizer_fingerprint': z.string({ error: missingOr('must be a string') }).min(1),
    'megashard.epoch': metadataDecimal(0),
    'megashard.file': metadataDecimal(0),
    'megashard.sections': metadataDecimal(0),
  })
  .transform((m) => ({
    planFingerprint: m['megashard.plan_fingerprint'],
    tokenizerFingerprint: m['megashard.tokenizer_fingerprint'],
    epoch: m['megashard.epoch'],
    file: m['megashard.file'],
    sections: m['megashard.sections'],
  }));

/** Encode a route list. Same inputs → same bytes. */
export function encodeRouteList(rows: RouteListRows, meta: RouteListMeta): Uint8Array {
  const schema = flatColumnsSchema(
    FORMAT,
    new Map([
      ['megashard.kind', ROUTE_LIST_KIND],
      ['megashard.format_version', ROUTE_LIST_FORMAT_VERSION],
      ['megashard.plan_fingerprint', meta.planFingerprint],
      ['megashard.tokenizer_fingerprint', meta.tokenizerFingerprint],
      ['megashard.epoch', String(meta.epoch)],
      ['megashard.file', String(meta.file)],
      ['megashard.sections', String(meta.sections)],
    ]),
  );
  const ints = [rows.section, rows.rank, rows.position, rows.localRow, rows.sampleId];
  return encodeFlatColumnsFile(
    schema,
    [
      ...ints.map((values) => ({ kind: 'int32' as const, values })),
      { kind: 'utf8', column: rows.recordIds },
      ...[rows.inputIds, rows.images, rows.totalTokens, rows.trainableTokens].map((values) => ({ kind: 'int32' as const, values })),
      { kind: 'uint8', values: rows.modality },
    ],
    rows.section.length,
  );
}

/** Decode a route list; its metadata must name the expected epoch and file. */
export function decodeRouteList(bytes: Uint8Array, where: string): { rows: RouteListRows; meta: RouteListMeta } {
  const file = decodeFlatColumnsFile(bytes, FORMAT, metadataSchema, where);
  const int = (i: number) => columnAt(file, i, 'int32').values;
  const rows: RouteListRows = {
    section: int(0),
    rank: int(1),
    position: int(2),
    localRow: int(3),
    sampleId: int(4),
    recordIds: columnAt(file, 5, 'utf8').column,
    inputIds: int(6),
    images: int(7),
    totalTokens: int(8),
    trainableTokens: int(9),
    modality: columnAt(file, 10, 'uint8').values,
  };
  for (let i = 1; i < file.rows; i++) {
    if (rows.section[i]! < rows.section[i - 1]!)
      throw new CorruptArtifactError(where, `row ${i}: sections must not decrease (section ${rows.section[i]} after ${rows.section[i - 1]})`);
  }
  return { rows, meta: file.metadata };
}
