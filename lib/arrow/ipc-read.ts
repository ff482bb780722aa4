/**
 * Reading Arrow IPC files defensively: the magic, the schema metadata (through zod), column
 * presence, types and nulls — every failure becomes a CorruptArtifactError naming the file.
 */
import { tableFromIPC, type Data, type DataType, type Table } from 'apache-arrow';
import { z } from 'zod';
import { CorruptArtifactError } from '../core/errors.js';

/** A zod error callback saying "is missing" for absent keys, else `message`. */
export function missingOr(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is missing' : message);
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Parse Arrow IPC *file* bytes (magic at both ends), turning any failure into CorruptArtifactError. */
export function readArrowFile(bytes: Uint8Array, source: string): Table {
  const tail = bytes.length - MAGIC.length;
  if (bytes.length < 2 * MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b || bytes[tail + i] !== b)) {
    throw new CorruptArtifactError(source, 'is not an Arrow IPC file (no ARROW1 magic at both ends; truncated, or the stream format?)');
  }
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    throw new CorruptArtifactError(source, `is not a readable Arrow IPC file: ${(error as Error).message}`);
  }
}

/** Validate Arrow schema metadata with a zod schema, naming every offending key. */
export function parseArrowMetadata<T>(metadata: Map<string, string>, schema: z.ZodType<T>, source: string): T {
  const result = schema.safeParse(Object.fromEntries(metadata));
  if (result.success) return result.data;
  const detail = result.error.issues.map((issue) => `metadata "${issue.path.map(String).join('.')}" ${issue.message}`);
  throw new CorruptArtifactError(source, detail.join('; '));
}

/** The record-batch chunks of a column, after checking it exists, has the expected type and no nulls. */
export function columnChunks(table: Table, name: string, expected: DataType, source: string): readonly Data[] {
  const field = table.schema.fields.find((f) => f.name === name);
  if (field === undefined) throw new CorruptArtifactError(source, `column "${name}" is missing`);
  if (field.typeId !== expected.typeId || String(field.type) !== String(expected)) {
    throw new CorruptArtifactError(source, `column "${name}" has type ${String(field.type)}; expected ${String(expected)}`);
  }
  const chunks = table.getChild(name)!.data;
  for (const chunk of chunks) {
    if (chunk.nullCount > 0) throw new CorruptArtifactError(source, `column "${name}" has ${chunk.nullCount} nulls; the format has none`);
  }
  return chunks;
}

type NumericArray = Int32Array | Uint32Array | Uint16Array | Uint8Array | BigInt64Array;

/** Copy a fixed-width column's chunks into one fresh typed array of n rows. */
export function concatChunks<A extends NumericArray>(chunks: readonly Data[], ArrayType: new (length: number) => A, n: number): A {
  const out = new ArrayType(n);
  let row = 0;
  for (const chunk of chunks) {
    // Flat data is sliced on its values already (offset only matters for bits), so read from 0.
    out.set((chunk.values as A).subarray(0, chunk.length) as never, row);
    row += chunk.length;
  }
  return out;
}

/** A metadata value holding a decimal integer ≥ min (Arrow metadata values are strings). */
export const metadataDecimal = (min: number) =>
  z
    .string({ error: missingOr('must be a string') })
    .regex(/^(0|[1-9][0-9]{0,14})$/, { error: 'must be a decimal integer' })
    .transform(Number)
    .refine((value) => value >= min, { error: `must be ≥ ${min}` });

/** Arrow's bit-packed booleans as 0/1 bytes; Bool data keeps its bit offset when sliced, so honour it. */
export function unpackBoolChunks(chunks: readonly Data[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let row = 0;
  for (const chunk of chunks) {
    const bits = chunk.values as Uint8Array;
    for (let i = 0, bit = chunk.offset; i < chunk.length; i++, bit++) out[row++] = (bits[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}
