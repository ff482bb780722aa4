/**
 * Planning a source's chunks: byte ranges that start exactly at record starts, so each chunk can be
 * read on its own (the Distributed Map fans out over them) and their records, in order, are the
 * records of the whole source whatever the chunk size.
 */
import { InvalidInputError } from '../errors.js';

const NEWLINE = 0x0a;
import { JsonArrayScanner, type Container, type ScanSink } from './json-array-scanner.js';

/** One chunk of a source: bytes [byteStart, byteEnd). */
export interface SourceChunk {
  readonly index: number;
  readonly byteStart: number;
  readonly byteEnd: number;
}

/** Reads bytes [byteStart, byteEnd) of the source (the storage port, or a buffer in tests). */
export type ReadWindow = (byteStart: number, byteEnd: number) => Promise<Uint8Array> | Uint8Array;

/** What planChunks needs to know about a source. */
export interface PlanChunksOptions {
  readonly container: Container;
  readonly sourceName: string;
  readonly sourceSize: number;
  /**
   * Target chunk size. JSONL: each chunk is cut at the first record boundary at least this far past
   * its start. JSON array: at the first record boundary at or after each multiple of it.
   */
  readonly bytesPerChunk: number;
  readonly readWindow: ReadWindow;
  /** Bytes per read while scanning (default 4 MiB); never changes the plan. */
  readonly windowBytes?: number;
}

/**
 * Split a source into chunks that start on record boundaries. JSON arrays are scanned once from
 * the start, because from an arbitrary offset one cannot tell whether it lies inside a string;
 * JSONL needs only a short read after each cut, because a newline byte always ends a record.
 */
export async function planChunks(options: PlanChunksOptions): Promise<SourceChunk[]> {
  if (!(options.bytesPerChunk >= 1)) {
    throw new InvalidInputError('bytesPerChunk', `${options.bytesPerChunk}: must be ≥ 1`);
  }
  if (options.sourceSize === 0 && options.container === 'jsonl') return [];
  const starts = options.container === 'jsonl' ? await planJsonlStarts(options) : await planJsonArrayStarts(options);
  return chunksFromStarts(starts, options.sourceSize);
}

/** The chunks whose first bytes are `starts` (ascending, the first 0) in a source of `sourceSize` bytes. */
export function chunksFromStarts(starts: readonly number[], sourceSize: number): SourceChunk[] {
  return starts.map((byteStart, index) => ({ index, byteStart, byteEnd: starts[index + 1] ?? sourceSize }));
}

async function readExactly(options: PlanChunksOptions, start: number, end: number): Promise<Uint8Array> {
  const bytes = await options.readWindow(start, end);
  if (bytes.length !== end - start) {
    const what = `reading bytes [${start}, ${end}) returned ${bytes.length} bytes; did the source change size?`;
    throw new InvalidInputError(options.sourceName, what);
  }
  return bytes;
}

/**
 * JSON arrays are cut on a fixed grid: for every grid point g = k·bytesPerChunk (k ≥ 1) the cut is
 * the first record boundary at or after g, duplicates dropped. Unlike cuts chained from the previous
 * cut, each cut depends only on the boundaries near its grid point, so block summaries computed
 * independently (json-array-block-summary.ts) give the same plan without reading the source again.
 */
async function planJsonArrayStarts(options: PlanChunksOptions): Promise<number[]> {
  const { sourceSize, bytesPerChunk } = options;
  const windowBytes = options.windowBytes ?? 4 << 20;
  const starts = [0];
  const scanner = new JsonArrayScanner(options.sourceName, 0);
  // The grid rule (see planJsonArrayStarts' TSDoc): the cut of grid point g is the first boundary ≥ g.
  let nextGridPoint = bytesPerChunk;
  const sink: ScanSink = {
    span: () => undefined,
    boundary: (at) => {
      if (at < nextGridPoint) return;
      starts.push(at);
      nextGridPoint = (Math.floor(at / bytesPerChunk) + 1) * bytesPerChunk;
    },
  };
  for (let at = 0; at < sourceSize; at += windowBytes) {
    scanner.push(await readExactly(options, at, Math.min(sourceSize, at + windowBytes)), sink);
  }
  scanner.finish(sink); // a whole-file problem (not an array, content after ']') fails the plan, naming the file
  return starts;
}

async function planJsonlStarts(options: PlanChunksOptions): Promise<number[]> {
  const { sourceSize, bytesPerChunk } = options;
  const windowBytes = options.windowBytes ?? 64 << 10;
  const starts = [0];
  for (let cut = bytesPerChunk; cut < sourceSize; ) {
    let lineStart = sourceSize; // the first line starting at or after `cut`: search for '\n' from cut − 1
    for (let at = cut - 1; at < sourceSize; at += windowBytes) {
      const newline = (await readExactly(options, at, Math.min(sourceSize, at + windowBytes))).indexOf(NEWLINE);
      if (newline >= 0) {
        lineStart = at + newline + 1;
        break;
      }
    }
    if (lineStart >= sourceSize) break;
    starts.push(lineStart);
    cut = lineStart + bytesPerChunk;
  }
  return starts;
}
