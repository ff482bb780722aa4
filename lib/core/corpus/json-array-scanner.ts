/**
 * Finds record byte ranges in a source without building values, and plans chunks on record
 * boundaries. Two containers: a top-level JSON array of records (LLaVA's `*.json`) and JSONL.
 *
 * Chunking contract (docs/corpus-formats.md): chunk 0 starts at byte 0, every later chunk starts at
 * the first byte of a record, and the last chunk ends at the end of the source. Reading each chunk
 * with `scanRecords` and concatenating in chunk order gives exactly the spans of the whole file.
 */
import { InvalidInputError } from '../errors.js';

/** How records are laid out in a source file. */
export type Container = 'json-array' | 'jsonl';

/** Bytes [start, end), in absolute source offsets, of a record or of a structural problem between records. */
export interface RecordSpan {
  readonly start: number;
  readonly end: number;
  /** Why these bytes cannot be a record (truncated, missing ','); null for a candidate record. */
  readonly problem: string | null;
  /**
   * Where the problem is when it lies before `start`: a record that follows the previous one
   * without a ',' is rejected, and the fault is the byte after the previous record.
   */
  readonly faultOffset?: number;
}

/** Receives what the array scanner finds, in byte order. */
export interface ScanSink {
  span(span: RecordSpan): void;
  /** A record starts here in the state every later chunk's reader starts in: a valid cut. */
  boundary?(offset: number): void;
  /**
   * Every record start, cut or not (after `boundary` when it is one). From a record start on, two
   * scanners are in the same state whatever came before: block speculation converges here.
   */
  recordStart?(offset: number, isBoundary: boolean): void;
}

/** Where the scanner stands between or inside records; with `depth`…`resynced`, all that decides later boundaries. */
export type ScannerPhase = 'before-array' | 'expect-first' | 'expect-element' | 'in-element' | 'after-element' | 'after-array';

/**
 * The scanner's state at a byte, minus what only shapes reported problem spans (where the current
 * element started, a pending missing ','): enough to resume and find the same boundaries and fatals.
 */
export interface ScannerState {
  readonly phase: ScannerPhase;
  /** Open brackets of the current element (0 for a string or scalar element, or between records). */
  readonly depth: number;
  readonly inString: boolean;
  /** The previous byte was a backslash inside a string. */
  readonly escaped: boolean;
  /** The current element is a bare scalar (number, true, …). */
  readonly scalar: boolean;
  /** The next record follows a missing ',' (phase expect-element only): it is not a cut. */
  readonly resynced: boolean;
}

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  NEWLINE = 0x0a;
const LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d;
const BOM = [0xef, 0xbb, 0xbf];
const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
/** Bytes that end a bare scalar element (number, true, …) at the top level. */
const endsScalar = (b: number): boolean => isWhitespace(b) || b === COMMA || b === RBRACKET || b === RBRACE || b === LBRACE || b === LBRACKET || b === QUOTE;
const showByte = (b: number): string => (b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16)}`);

// Phases between records. Inside a record the scanner only tracks depth and string state: it never
// validates JSON (JSON.parse does that per record), so a malformed record costs one reject.
const BEFORE_ARRAY = 0,
  EXPECT_FIRST = 1,
  EXPECT_ELEMENT = 2,
  IN_ELEMENT = 3,
  AFTER_ELEMENT = 4,
  AFTER_ARRAY = 5;
const PHASE_NAMES: readonly ScannerPhase[] = ['before-array', 'expect-first', 'expect-element', 'in-element', 'after-element', 'after-array'];

/**
 * Streaming scanner of one JSON array. Feed contiguous windows with `push`; all state (phase,
 * depth, inside-string, pending escape) carries across windows, so window size never matters.
 * A scanner created at offset 0 expects `[`; at any other offset it assumes it sits just before a
 * record that follows a ',' — exactly the state `boundary` reports, which is what makes chunks exact.
 */
export class JsonArrayScanner {
  private phase: number;
  private position: number;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private elementStart = 0;
  /** End of the last element: where a ',' missing after it belongs. */
  private elementEnd = 0;
  /** The next record follows a missing ','; not a cut, since a reader starting there would not report it. */
  private resynced = false;
  /** The missing ',' the current (or next) element follows: its offset and the byte found instead. */
  private missingComma: { readonly at: number; readonly found: number } | null = null;

  constructor(
    private readonly sourceName: string,
    startOffset: number,
  ) {
    this.position = startOffset;
    this.phase = startOffset === 0 ? BEFORE_ARRAY : EXPECT_ELEMENT;
  }

  /** A scanner that continues at `offset` in `state` (a state some scanner reported there, or a guess of one). */
  static resume(sourceName: string, offset: number, state: ScannerState): JsonArrayScanner {
    const scanner = new JsonArrayScanner(sourceName, offset);
    scanner.phase = PHASE_NAMES.indexOf(state.phase);
    scanner.depth = state.depth;
    scanner.inString = state.inString;
    scanner.escaped = state.escaped;
    scanner.scalar = state.scalar;
    scanner.resynced = state.phase === 'expect-element' && state.resynced;
    scanner.elementStart = offset;
    scanner.elementEnd = offset;
    return scanner;
  }

  /** The state after the last byte pushed (normalised: `resynced` only where it can matter). */
  state(): ScannerState {
    const phase = PHASE_NAMES[this.phase]!;
    const inElement = this.phase === IN_ELEMENT;
    return {
      phase,
      depth: inElement ? this.depth : 0,
      inString: inElement && this.inString,
      escaped: inElement && this.escaped,
      scalar: inElement && this.scalar,
      resynced: phase === 'expect-element' && this.resynced,
    };
  }

  /** Scan the next window (it must start where the previous one ended). */
  push(bytes: Uint8Array, sink: ScanSink): void {
    const base = this.position;
    let i = 0;
    while (i < bytes.length) {
      i = this.phase === IN_ELEMENT ? this.scanElement(bytes, i, base, sink) : this.stepBetween(bytes, i, base, sink);
    }
    this.position = base + bytes.length;
  }

  /** The source ends here: report a truncated record or array; throw on whole-file problems. */
  finish(sink: ScanSink): void {
    const at = this.position;
    if (this.phase === BEFORE_ARRAY) throw this.fatal('the source is empty; expected a JSON array');
    if (this.phase === IN_ELEMENT) {
      if (this.scalar) this.endElement(at, sink);
      else {
        const where = this.inString ? 'inside a string' : `with ${this.depth} bracket(s) still open`;
        sink.span({ start: this.elementStart, end: at, problem: `truncated JSON: the source ends ${where}` });
        this.missingComma = null;
        return;
      }
    }
    if (this.phase === AFTER_ARRAY) return;
    sink.span({ start: at, end: at, problem: "truncated JSON: the source ends before the array's closing ']'" });
  }

  /** A chunk that is not the last must end just before a record, in the state its successor starts in. */
  assertAtBoundary(): void {
    if (this.phase !== EXPECT_ELEMENT || this.resynced) {
      throw this.fatal(`byte ${this.position} is not a chunk boundary; plan chunks with planChunks`);
    }
  }

  private fatal(message: string): InvalidInputError {
    return new InvalidInputError(this.sourceName, message);
  }

  /** Inside a record: the hot loop. Locals mirror fields so V8 keeps them in registers. */
  private scanElement(bytes: Uint8Array, from: number, base: number, sink: ScanSink): number {
    const n = bytes.length;
    let i = from;
    if (this.scalar) {
      while (i < n && !endsScalar(bytes[i]!)) i++;
      if (i < n) this.endElement(base + i, sink);
      return i;
    }
    let depth = this.depth,
      inString = this.inString;
    if (this.escaped) {
      this.escaped = false;
      i++;
    } // the previous window ended on a backslash
    while (i < n) {
      if (inString) {
        for (; i < n; i++) {
          const b = bytes[i]!;
          if (b === QUOTE) break;
          if (b === BACKSLASH) i++; // skip the escaped byte (it may be a quote)
        }
        if (i >= n) {
          this.escaped = i > n;
          i = n;
          break;
        }
        inString = false;
        i++;
        if (depth === 0) {
          this.endElement(base + i, sink);
          return i;
        }
        continue;
      }
      for (; i < n; i++) {
        const b = bytes[i]!;
        if (b === QUOTE) {
          inString = true;
          i++;
          break;
        }
        if (b === LBRACE || b === LBRACKET) depth++;
        else if ((b === RBRACE || b === RBRACKET) && --depth === 0) {
          this.depth = 0;
          this.endElement(base + i + 1, sink);
          return i + 1;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    return n;
  }

  /** Between records: whitespace, ',', '[' and ']' move the phase; anything else starts a record. */
  private stepBetween(bytes: Uint8Array, from: number, base: number, sink: ScanSink): number {
    let i = from;
    while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
    if (i === bytes.length) return i;
    const b = bytes[i]!,
      at = base + i;
    switch (this.phase) {
      case BEFORE_ARRAY:
        if (at < BOM.length && b === BOM[at]) return i + 1;
        if (b !== LBRACKET) throw this.fatal(`byte ${at}: expected '[' to open the JSON array, found ${showByte(b)}`);
        this.phase = EXPECT_FIRST;
        return i + 1;
      case AFTER_ELEMENT:
        if (b === COMMA || b === RBRACKET) {
          this.phase = b === COMMA ? EXPECT_ELEMENT : AFTER_ARRAY;
          return i + 1;
        }
        // The record starting here is the one the missing ',' damages: it is reported (once) when it ends.
        this.missingComma = { at: this.elementEnd, found: b };
        this.phase = EXPECT_ELEMENT;
        this.resynced = true;
        return i; // read this byte again as the start of a record
      case AFTER_ARRAY:
        throw this.fatal(`byte ${at}: ${showByte(b)} after the array's closing ']'; a source holds exactly one JSON array`);
      default:
        return this.stepExpectingRecord(b, i, at, sink);
    }
  }

  private stepExpectingRecord(b: number, i: number, at: number, sink: ScanSink): number {
    if (b === RBRACKET) {
      if (this.phase === EXPECT_ELEMENT) sink.span({ start: at, end: at + 1, problem: "trailing ',' before the closing ']'" });
      this.phase = AFTER_ARRAY;
      return i + 1;
    }
    if (b === COMMA || b === RBRACE) {
      // One stray byte is one fault: it is not also reported as a ',' missing before the next record.
      this.missingComma = null;
      sink.span({ start: at, end: at + 1, problem: `${showByte(b)} where a record was expected` });
      if (b === COMMA) this.phase = EXPECT_ELEMENT;
      return i + 1;
    }
    const isBoundary = this.phase === EXPECT_ELEMENT && !this.resynced;
    if (isBoundary) sink.boundary?.(at);
    sink.recordStart?.(at, isBoundary);
    this.resynced = false;
    this.phase = IN_ELEMENT;
    this.elementStart = at;
    this.scalar = b !== LBRACE && b !== LBRACKET && b !== QUOTE;
    this.inString = b === QUOTE;
    this.depth = b === QUOTE || this.scalar ? 0 : 1;
    return this.scalar ? i : i + 1;
  }

  private endElement(end: number, sink: ScanSink): void {
    const missing = this.missingComma;
    if (missing === null) sink.span({ start: this.elementStart, end, problem: null });
    else {
      const problem = `missing ',' at byte ${missing.at} before the record at byte ${this.elementStart} (found ${showByte(missing.found)} where ',' or ']' was expected); the record is rejected: add the ','`;
      sink.span({ start: this.elementStart, end, problem, faultOffset: missing.at });
      this.missingComma = null;
    }
    this.phase = AFTER_ELEMENT;
    this.elementEnd = end;
    this.scalar = false;
  }
}

/** Where a chunk sits in its source, and whether it is the source's last. */
export interface ScanOptions {
  readonly container: Container;
  readonly sourceName: string;
  /** False for every chunk but the last: its bytes must then end on a record boundary. */
  readonly endOfSource: boolean;
}

/** Record spans (absolute offsets) of one chunk whose first byte is at `absoluteOffset` in the source. */
export function scanRecords(bytes: Uint8Array, absoluteOffset: number, options: ScanOptions): RecordSpan[] {
  if (options.container === 'jsonl') return scanJsonlRecords(bytes, absoluteOffset, options);
  const spans: RecordSpan[] = [];
  const scanner = new JsonArrayScanner(options.sourceName, absoluteOffset);
  const sink: ScanSink = { span: (s) => spans.push(s) };
  scanner.push(bytes, sink);
  if (options.endOfSource) scanner.finish(sink);
  else scanner.assertAtBoundary();
  return spans;
}

/** JSONL: a record is a line; blank lines are skipped. A raw newline never occurs inside a JSON string. */
function scanJsonlRecords(bytes: Uint8Array, absoluteOffset: number, options: ScanOptions): RecordSpan[] {
  const n = bytes.length;
  if (!options.endOfSource && n > 0 && bytes[n - 1] !== NEWLINE) {
    const what = `byte ${absoluteOffset + n} is not a chunk boundary (not after a newline); plan chunks with planChunks`;
    throw new InvalidInputError(options.sourceName, what);
  }
  const spans: RecordSpan[] = [];
  let i = absoluteOffset === 0 && BOM.every((b, k) => bytes[k] === b) ? BOM.length : 0;
  while (i < n) {
    let end = bytes.indexOf(NEWLINE, i);
    if (end < 0) end = n;
    let k = i;
    while (k < end && (bytes[k] === 0x20 || bytes[k] === 0x09 || bytes[k] === 0x0d)) k++;
    if (k < end) spans.push({ start: absoluteOffset + i, end: absoluteOffset + end, problem: null });
    i = end + 1;
  }
  return spans;
}
