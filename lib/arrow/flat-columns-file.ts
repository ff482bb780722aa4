/**
 * Intermediate Arrow IPC files of flat columns (route lists, routed sections, audit digests): one
 * record batch written by our batch writer, read back by the batch reader after the schema — names,
 * types, nullability — and the metadata (through zod) are checked. They are ordinary Arrow files,
 * so pyarrow reads them when a run has to be debugged, but nothing on their hot path builds a
 * per-row JS value.
 */
import { RecordBatchReader, Schema, type Field } from 'apache-arrow';
import type { z } from 'zod';
import { CorruptArtifactError } from '../core/errors.js';
import { scanBatchedIpcFile } from './ipc-batch-reader.js';
import { encodeBatchedIpcFile, type IpcColumn } from './ipc-batch-writer.js';
import { parseArrowMetadata } from './ipc-read.js';

/** A file's columns (schema order) and its validated metadata. */
export interface FlatColumnsFile<M> {
  readonly metadata: M;
  readonly rows: number;
  readonly columns: IpcColumn[];
}

/** The fields and column kinds of one intermediate format, declared once for both directions. */
export interface FlatColumnsFormat {
  readonly fields: readonly Field[];
  readonly kinds: readonly IpcColumn['kind'][];
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** A schema for `format` with the given metadata; reuse it across files to reuse the writer's template. */
export function flatColumnsSchema(format: FlatColumnsFormat, metadata: ReadonlyMap<string, string>): Schema {
  return new Schema([...format.fields], new Map(metadata));
}

/** Encode `rows` rows of `columns` (schema order) as one record batch. Same inputs → same bytes. */
export function encodeFlatColumnsFile(schema: Schema, columns: readonly IpcColumn[], rows: number): Uint8Array {
  // A zero-row file still needs a batch size ≥ 1; it then holds no batches.
  return encodeBatchedIpcFile(schema, columns, rows, Math.max(1, rows));
}

/** Decode a file of `format`: magic, schema and metadata checked, every batch's columns concatenated. */
export function decodeFlatColumnsFile<M>(bytes: Uint8Array, format: FlatColumnsFormat, metadataSchema: z.ZodType<M>, where: string): FlatColumnsFile<M> {
  const schema = readSchema(bytes, where);
  const names = schema.fields.map((f) => f.name).join(', ');
  const expected = format.fields.map((f) => f.name).join(', ');
  if (names !== expected) throw new CorruptArtifactError(where, `has columns [${names}]; expected [${expected}]`);
  for (const [i, field] of schema.fields.entries()) {
    if (String(field.type) !== String(format.fields[i]!.type) || field.nullable) {
      throw new CorruptArtifactError(
        where,
        `column "${field.name}" is ${String(field.type)}${field.nullable ? ' (nullable)' : ''}; expected ${String(format.fields[i]!.type)}, not nullable`,
      );
    }
  }
  const metadata = parseArrowMetadata(schema.metadata, metadataSchema, where);
  const { batchStarts, columns } = scanBatchedIpcFile(bytes, format.kinds, where);
  return { metadata, rows: batchStarts[batchStarts.length - 1]!, columns };
}

/** The schema from the file's footer (arrow-js reads only the footer and schema message here). */
function readSchema(bytes: Uint8Array, where: string): Schema {
  const tail = bytes.length - MAGIC.length;
  if (bytes.length < 2 * MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b || bytes[tail + i] !== b)) {
    throw new CorruptArtifactError(where, 'is not an Arrow IPC file (no ARROW1 magic at both ends; truncated?)');
  }
  try {
    const reader = RecordBatchReader.from(bytes).open();
    if (!reader.isFile()) throw new Error('the footer is missing');
    return reader.schema;
  } catch (error) {
    throw new CorruptArtifactError(where, `is not a readable Arrow IPC file: ${(error as Error).message}`);
  }
}

/** Typed access to a decoded column by position, for format modules that know their kinds. */
export function columnAt<K extends IpcColumn['kind']>(
  file: { readonly columns: readonly IpcColumn[] },
  index: number,
  kind: K,
): Extract<IpcColumn, { kind: K }> {
  const column = file.columns[index]!;
  if (column.kind !== kind) throw new Error(`column ${index} is ${column.kind}, not ${kind}`);
  return column as Extract<IpcColumn, { kind: K }>;
}
