/**
 * What a source file holds: its container (JSON array or JSONL) and its record shape (LLaVA
 * conversation, MMC4 document, OBELICS document, generic document), detected from the first bytes
 * or taken from the dataset config. Also the small contract every record-shape module shares.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import type { Conversation } from './conversation.js';
import { JsonArrayScanner, type Container, type RecordSpan } from './json-array-scanner.js';
import { wellFormedString } from './text-checks.js';

/** The record shapes we convert to Conversations. */
export const recordShapeSchema = z.enum(['llava', 'mmc4', 'obelics', 'generic']);
/** A record shape id. */
export type RecordShape = z.infer<typeof recordShapeSchema>;

/**
 * Versioned id of each shape's conversion rules, to be written into outputs and fingerprints:
 * changing a normalisation is a new id, never a silent change.
 */
export const CONVERSION_RULES: Readonly<Record<RecordShape, string>> = {
  llava: 'llava-conversation@1',
  mmc4: 'mmc4-vila@1',
  obelics: 'obelics-interleaved@1',
  generic: 'generic-segments@1',
};

/** Format as a dataset config may state it; each part left out is detected. */
export const sourceFormatConfigSchema = z
  .object({
    container: z.enum(['json-array', 'jsonl']).optional().describe('json-array: one top-level JSON array of records; jsonl: one record per line.'),
    shape: recordShapeSchema.optional().describe('Record shape; detected from the first record when omitted.'),
  })
  .strict();
/** The `format` part of a dataset config. */
export type SourceFormatConfig = z.infer<typeof sourceFormatConfigSchema>;

/** A source's resolved format. */
export interface SourceFormat {
  readonly container: Container;
  readonly shape: RecordShape;
}

/** How many leading records detection looks at before giving up. */
const DETECT_RECORDS = 16;

/** Signatures of compressed or binary files people point us at by mistake, with what to do instead. */
const MAGIC: readonly (readonly [readonly number[], string])[] = [
  [[0x1f, 0x8b], 'gzip-compressed; decompress it first'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (e.g. an MMC4 *.jsonl.zip shard); unzip it first'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed; decompress it first'],
  [[0x50, 0x41, 0x52, 0x31], 'Parquet (e.g. OBELICS); export it to JSONL first'],
];

/**
 * Resolve a source's format from its first bytes (`head`; the whole file when `sourceSize` ≤ its
 * length) and the config. Throws InvalidInput naming the file when it is not JSON, not a known
 * shape, or disagrees with the config.
 */
export function detectSourceFormat(head: Uint8Array, sourceName: string, sourceSize: number, config: SourceFormatConfig = {}): SourceFormat {
  const detected = detectContainer(head, sourceName);
  if (config.container !== undefined && config.container !== detected) {
    const what = `the config says ${config.container} but the file starts like ${detected}; fix format.container or the file`;
    throw new InvalidInputError(sourceName, what);
  }
  const shape = config.shape ?? detectShape(head, sourceName, detected, head.length >= sourceSize);
  return { container: detected, shape };
}

function detectContainer(head: Uint8Array, sourceName: string): Container {
  for (const [magic, what] of MAGIC) {
    if (magic.every((b, k) => head[k] === b)) throw new InvalidInputError(sourceName, `the file is ${what}`);
  }
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (i === head.length) {
    throw new InvalidInputError(sourceName, 'the file is empty (or only whitespace); expected a JSON array or JSONL');
  }
  if (head[i] === 0x5b) return 'json-array';
  if (head[i] === 0x7b) return 'jsonl';
  const shown = head[i]! >= 0x20 && head[i]! < 0x7f ? `'${String.fromCharCode(head[i]!)}'` : `0x${head[i]!.toString(16)}`;
  const expected = "expected '[' (a JSON array of records) or '{' (JSONL, one record per line)";
  throw new InvalidInputError(sourceName, `not JSON: byte ${i} is ${shown}; ${expected}`);
}

/** Complete record spans inside `head`; a record cut off by the end of the head is left out. */
function headSpans(head: Uint8Array, sourceName: string, container: Container, wholeSource: boolean): RecordSpan[] {
  const spans: RecordSpan[] = [];
  if (container === 'json-array') {
    const scanner = new JsonArrayScanner(sourceName, 0);
    const sink = {
      span: (s: RecordSpan) => {
        if (s.problem === null) spans.push(s);
      },
    };
    scanner.push(head, sink);
    if (wholeSource) scanner.finish(sink);
    return spans;
  }
  for (let start = 0; start < head.length && spans.length < DETECT_RECORDS; ) {
    let end = head.indexOf(0x0a, start);
    if (end < 0) {
      if (!wholeSource) break;
      end = head.length;
    }
    spans.push({ start, end, problem: null });
    start = end + 1;
  }
  return spans;
}

function detectShape(head: Uint8Array, sourceName: string, container: Container, wholeSource: boolean): RecordShape {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let firstKeys: string[] | null = null;
  for (const span of headSpans(head, sourceName, container, wholeSource).slice(0, DETECT_RECORDS)) {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(head.subarray(span.start, span.end)));
    } catch {
      continue; // a bad first record is a reject later, not a reason to misdetect
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const shape = shapeOfRecord(value);
    if (shape !== null) return shape;
    firstKeys ??= Object.keys(value);
  }
  const seen =
    firstKeys === null
      ? `no record in the first ${head.length} bytes parses as a JSON object`
      : `the first record has keys (${firstKeys.slice(0, 12).join(', ')})`;
  const known = '"conversations" (LLaVA), "text_list" + "image_info" (MMC4), "texts" + "images" (OBELICS) or "segments" (generic)';
  throw new InvalidInputError(sourceName, `unknown record shape: ${seen}; expected ${known}, or set format.shape in the dataset config`);
}

/** The shape a parsed record's keys announce, or null. */
export function shapeOfRecord(record: object): RecordShape | null {
  const has = (key: string): boolean => Object.hasOwn(record, key);
  if (has('conversations')) return 'llava';
  if (has('text_list') && has('image_info')) return 'mmc4';
  if (has('texts') && has('images')) return 'obelics';
  if (has('segments')) return 'generic';
  return null;
}

// ---- Shared by the record-shape modules -------------------------------------------------------

/** Limits and options a record conversion needs. */
export interface ConvertOptions {
  /** Longest text field accepted, in UTF-16 code units (JS string length). */
  readonly maxTextChars: number;
  /** MMC4: images kept per document, the first ones in `image_info` order (VILA's max_num_images = 6). */
  readonly mmc4MaxImages: number;
}

/** A record converted, or the reason it was rejected (naming the field). */
export type ConvertResult = { readonly ok: true; readonly conversation: Conversation } | { readonly ok: false; readonly reason: string };

/** Reject helper for record modules. */
export const rejectWith = (reason: string): ConvertResult => ({ ok: false, reason });

/** An interleaved document: one all-trainable text stream (an assistant turn) and its images. */
export function acceptDocument(id: string | number | undefined, text: string, images: string[]): ConvertResult {
  return { ok: true, conversation: { id: idToString(id), turns: [{ role: 'assistant', text }], images, kind: 'document' } };
}

/** zod `error` option: "must be <what>, got <the value, abbreviated>". */
export function mustBe(what: string): { error: (issue: { readonly input?: unknown }) => string } {
  return { error: (issue) => `must be ${what}, got ${describeValue(issue.input)}` };
}

/** `["conversations", 2, "from"]` → `conversations[2].from`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? 'record' : out;
}

/** A value for a message, never more than ~40 characters (a reject reason must not carry a 50 MB string). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** The first zod issue as `field.path: message`, plus how many more there are. */
export function reasonFromZod(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (first === undefined) return 'invalid record';
  const more = rest.length > 0 ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  return `${formatFieldPath(first.path)}: ${first.message}${more}`;
}

/** A record id: a string, or a safe integer that becomes its decimal string (LLaVA mix665k has a few). */
export const recordIdSchema = z.union([wellFormedString(), z.int()], mustBe('a string or a safe integer'));

/** Normalise an optional id to the Conversation id ('' when absent). */
export const idToString = (id: string | number | undefined): string => (id === undefined ? '' : String(id));

/** Reason when a text field exceeds the limit, else null. */
export function textTooLong(path: readonly PropertyKey[], text: string, options: ConvertOptions): string | null {
  if (text.length <= options.maxTextChars) return null;
  return `${formatFieldPath(path)}: ${text.length} characters, over the limit of ${options.maxTextChars} (limits.maxTextChars)`;
}

/** Non-overlapping occurrences of `<image>` in a text. */
export function countPlaceholders(text: string): number {
  let count = 0;
  for (let at = text.indexOf(IMAGE_PLACEHOLDER); at >= 0; at = text.indexOf(IMAGE_PLACEHOLDER, at + IMAGE_PLACEHOLDER.length)) {
    count++;
  }
  return count;
}
