/**
 * One chunk's bytes → Conversations and rejects. Every record is judged on its own: a bad record
 * becomes a reject with a precise reason and never changes what its neighbours produce.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import type { Conversation } from './conversation.js';
import { convertGenericDocument } from './generic-document-record.js';
import { scanRecords, type RecordSpan } from './json-array-scanner.js';
import { convertLlavaRecord } from './llava-record.js';
import { convertMmc4Record } from './mmc4-record.js';
import { convertObelicsRecord } from './obelics-record.js';
import { describeValue, type ConvertOptions, type ConvertResult, type RecordShape, type SourceFormat } from './source-format.js';

/**
 * Per-record limits. A record over `maxRecordBytes` is rejected before it is decoded, so a 50 MB
 * string never becomes a JS string.
 */
export const readLimitsSchema = z
  .object({
    maxRecordBytes: z
      .int()
      .min(1)
      .default(16 << 20)
      .describe('Largest record, in bytes of its JSON text (default 16 MiB).'),
    maxTextChars: z
      .int()
      .min(1)
      .default(1 << 20)
      .describe('Longest text field, in UTF-16 code units (default 1 Mi).'),
    mmc4MaxImages: z.int().min(0).default(6).describe("MMC4: images kept per document, the first in image_info order (VILA's 6)."),
  })
  .strict();
/** Resolved per-record limits. */
export type ReadLimits = z.infer<typeof readLimitsSchema>;
/** The defaults of every limit. */
export const DEFAULT_READ_LIMITS: ReadLimits = readLimitsSchema.parse({});

const CONVERTERS: Readonly<Record<RecordShape, (raw: unknown, options: ConvertOptions) => ConvertResult>> = {
  llava: convertLlavaRecord,
  mmc4: convertMmc4Record,
  obelics: convertObelicsRecord,
  generic: convertGenericDocument,
};

/** Where the chunk sits in its source and how to read it. */
export interface ReadChunkOptions {
  /** Offset of `bytes[0]` in the source; a chunk from planChunks. */
  readonly absoluteOffset: number;
  readonly sourceName: string;
  readonly format: SourceFormat;
  /** True for the source's last chunk (truncation is only detectable there). */
  readonly endOfSource: boolean;
  readonly limits?: Partial<ReadLimits>;
}

/** A record that became a Conversation. */
export interface AcceptedRecord {
  /** Offset of the record's first byte in its source. */
  readonly byteOffset: number;
  readonly conversation: Conversation;
}

/** A record (or a structural problem between records) that was not accepted, and why. */
export interface RecordReject {
  readonly source: string;
  readonly byteOffset: number;
  /** The record's `id` when it could be read, else null. */
  readonly recordId: string | null;
  readonly reason: string;
}

/** What one chunk produced, both lists in byte order. */
export interface ChunkRecords {
  readonly records: readonly AcceptedRecord[];
  readonly rejects: readonly RecordReject[];
}

/** Read every record of one chunk. Throws only for whole-file problems (not an array, misaligned chunk). */
export function readChunkRecords(bytes: Uint8Array, options: ReadChunkOptions): ChunkRecords {
  const limits: ReadLimits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  const convert = CONVERTERS[options.format.shape];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const spans = scanRecords(bytes, options.absoluteOffset, {
    container: options.format.container,
    sourceName: options.sourceName,
    endOfSource: options.endOfSource,
  });
  const records: AcceptedRecord[] = [];
  const rejects: RecordReject[] = [];
  for (const span of spans) {
    const local = bytes.subarray(span.start - options.absoluteOffset, span.end - options.absoluteOffset);
    const outcome = readRecord(local, span, decoder, limits, convert);
    if ('conversation' in outcome) records.push({ byteOffset: span.start, conversation: outcome.conversation });
    else rejects.push({ source: options.sourceName, byteOffset: span.faultOffset ?? span.start, recordId: outcome.recordId, reason: outcome.reason });
  }
  return { records, rejects };
}

type RecordOutcome = { readonly conversation: Conversation } | { readonly recordId: string | null; readonly reason: string };

/** Problem → size → UTF-8 → JSON → object → shape: each step names what failed. */
function readRecord(
  bytes: Uint8Array,
  span: RecordSpan,
  decoder: { decode(bytes: Uint8Array): string },
  limits: ReadLimits,
  convert: (raw: unknown, options: ConvertOptions) => ConvertResult,
): RecordOutcome {
  if (span.problem !== null) {
    // A record damaged by a fault before it (a missing ',') is still named, when it reads as one.
    const recordId = span.faultOffset !== undefined && bytes.length <= limits.maxRecordBytes ? peekIdOfBytes(bytes, decoder) : null;
    return { recordId, reason: span.problem };
  }
  if (bytes.length > limits.maxRecordBytes) {
    const what = `record is ${bytes.length} bytes, over the limit of ${limits.maxRecordBytes} (limits.maxRecordBytes); not decoded`;
    return { recordId: null, reason: what };
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { recordId: null, reason: `invalid UTF-8 at byte ${span.start + at} (0x${bytes[at]?.toString(16) ?? '??'})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 reports where parsing stopped; stopping at the very end means the record was cut short.
    const position = /at position (\d+)/.exec(message)?.[1];
    const truncated = /end of JSON input/.test(message) || (position !== undefined && Number(position) >= text.length);
    const detail = message.length > 160 ? `${message.slice(0, 160)}…` : message;
    const what = truncated ? 'truncated JSON (the record ends before its value is complete)' : 'invalid JSON';
    return { recordId: null, reason: `${what}: ${detail}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { recordId: null, reason: `record is ${describeValue(value)}, not a JSON object` };
  }
  const result = convert(value, limits);
  return result.ok ? { conversation: result.conversation } : { recordId: peekId(value), reason: result.reason };
}

/** The id of a record's bytes when they decode and parse as an object; null otherwise. */
function peekIdOfBytes(bytes: Uint8Array, decoder: { decode(bytes: Uint8Array): string }): string | null {
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? peekId(value) : null;
  } catch {
    return null;
  }
}

/** The record's id for a reject, when it is a string or integer. */
function peekId(record: object): string | null {
  const id: unknown = (record as { id?: unknown }).id;
  if (typeof id === 'string') return id.length > 200 ? `${id.slice(0, 200)}…` : id;
  return Number.isSafeInteger(id) ? String(id) : null;
}

/** Index of the first byte that starts an invalid UTF-8 sequence (WHATWG rules: no overlongs, surrogates, > U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number,
      low = 0x80,
      high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** A record's id and where it starts: what the duplicate policy needs from each chunk. */
export interface RecordIdAt {
  readonly id: string;
  readonly byteOffset: number;
}

/**
 * Duplicate-id policy, per source: among accepted records, the first occurrence (lowest byte
 * offset) is kept and every later one is rejected with `duplicate id "x" (first at byte N)`.
 * Records without id ('') are never duplicates. Feed the accepted records of all chunks in chunk
 * order (i.e. byte order) — the result is then the same for any chunking; out-of-order input throws.
 */
export function findDuplicateIds(source: string, records: Iterable<RecordIdAt>): RecordReject[] {
  const firstAt = new Map<string, number>();
  const rejects: RecordReject[] = [];
  let previous = -1;
  for (const { id, byteOffset } of records) {
    if (byteOffset <= previous) {
      throw new InvalidInputError(source, `records must come in byte order; ${byteOffset} follows ${previous}`);
    }
    previous = byteOffset;
    if (id === '') continue;
    const first = firstAt.get(id);
    if (first === undefined) firstAt.set(id, byteOffset);
    else rejects.push({ source, byteOffset, recordId: id, reason: `duplicate id ${describeValue(id)} (first at byte ${first})` });
  }
  return rejects;
}
