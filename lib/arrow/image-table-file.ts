/**
 * A part of a run's image table: what is known about each image key under some folders of the
 * image root, keys ascending — usable (with its size when known) or the reason its records are
 * rejected. Written once per run by ListImages from store listings, read by every Tokenize call
 * in place of one request per image.
 */
import { Field, Int32, Uint8, Utf8 } from 'apache-arrow';
import { z } from 'zod';
import { utf8ColumnFromStrings, type Utf8Column } from '../core/index/length-index.js';
import { columnAt, decodeFlatColumnsFile, encodeFlatColumnsFile, flatColumnsSchema, type FlatColumnsFormat } from './flat-columns-file.js';
import { missingOr } from './ipc-read.js';

/** `megashard.kind` of an image table part. */
export const IMAGE_TABLE_KIND = 'image-table';
/** `megashard.format_version` of image table parts; bump on any change of columns or meaning. */
export const IMAGE_TABLE_FORMAT_VERSION = '1';

const FORMAT: FlatColumnsFormat = {
  fields: [
    new Field('key', new Utf8(), false),
    new Field('ok', new Uint8(), false),
    new Field('width', new Int32(), false),
    new Field('height', new Int32(), false),
    new Field('reason', new Utf8(), false),
  ],
  kinds: ['utf8', 'uint8', 'int32', 'int32', 'utf8'],
};

/** The rows of a part, column by column (keys ascending). */
export interface ImageTableRows {
  readonly keys: Utf8Column;
  /** 1 = usable, 0 = rejected with `reasons`. */
  readonly ok: Uint8Array;
  /** 0 × 0 when the size was not read (the check level does not need it). */
  readonly widths: Int32Array;
  readonly heights: Int32Array;
  readonly reasons: Utf8Column;
}

const metadataSchema = z
  .object({
    'megashard.kind': z.literal(IMAGE_TABLE_KIND, { error: missingOr(`must be "${IMAGE_TABLE_KIND}"`) }),
    'megashard.format_version': z.literal(IMAGE_TABLE_FORMAT_VERSION, { error: missingOr(`must be "${IMAGE_TABLE_FORMAT_VERSION}"`) }),
    'megashard.check_level': z.string({ error: missingOr('must be a string') }),
  })
  .transform((m) => ({ checkLevel: m['megashard.check_level'] }));

/** Encode a part from per-image entries (keys must be ascending). */
export function encodeImageTablePart(
  entries: ReadonlyArray<{ key: string; ok: boolean; width: number; height: number; reason: string }>,
  checkLevel: string,
): Uint8Array {
  const schema = flatColumnsSchema(
    FORMAT,
    new Map([
      ['megashard.kind', IMAGE_TABLE_KIND],
      ['megashard.format_version', IMAGE_TABLE_FORMAT_VERSION],
      ['megashard.check_level', checkLevel],
    ]),
  );
  return encodeFlatColumnsFile(
    schema,
    [
      { kind: 'utf8', column: utf8ColumnFromStrings(entries.map((e) => e.key)) },
      { kind: 'uint8', values: Uint8Array.from(entries, (e) => (e.ok ? 1 : 0)) },
      { kind: 'int32', values: Int32Array.from(entries, (e) => e.width) },
      { kind: 'int32', values: Int32Array.from(entries, (e) => e.height) },
      { kind: 'utf8', column: utf8ColumnFromStrings(entries.map((e) => e.reason)) },
    ],
    entries.length,
  );
}

/** Decode a part. */
export function decodeImageTablePart(bytes: Uint8Array, where: string): { rows: ImageTableRows; checkLevel: string; count: number } {
  const file = decodeFlatColumnsFile(bytes, FORMAT, metadataSchema, where);
  return {
    rows: {
      keys: columnAt(file, 0, 'utf8').column,
      ok: columnAt(file, 1, 'uint8').values,
      widths: columnAt(file, 2, 'int32').values,
      heights: columnAt(file, 3, 'int32').values,
      reasons: columnAt(file, 4, 'utf8').column,
    },
    checkLevel: file.metadata.checkLevel,
    count: file.rows,
  };
}
