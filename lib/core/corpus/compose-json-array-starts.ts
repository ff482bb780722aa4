/**
 * A JSON-array source's chunk starts from its blocks' summaries, with no source bytes: the state at
 * byte 0 is known, and each block's summary maps the state it starts in to the state it ends in and
 * to its cuts. The result is exactly the grid cuts of a whole scan (plan-chunks.ts), the same
 * whole-file error, or a fallback when a summary cannot answer (a container deeper than the
 * summaries followed, a missing or foreign summary): the caller then scans the source whole.
 */
import { InvalidInputError } from '../errors.js';
import { JsonArrayScanner, type ScannerState } from './json-array-scanner.js';
import { containerState, JSON_ARRAY_BLOCK_SUMMARY_FORMAT, startOfState, type BlockRunAnswer, type JsonArrayBlockSummary } from './json-array-block-summary.js';

/** One block of the source, bytes [start, end), with the summary its HashSources call recorded (if any). */
export interface SummarisedBlock {
  readonly start: number;
  readonly end: number;
  readonly summary?: JsonArrayBlockSummary | undefined;
}

/** Chunk starts (ascending, the first 0), or why the summaries cannot give them. */
export type ComposedStarts = { readonly starts: number[] } | { readonly fallback: string };

/** What composing needs to know about the source. */
export interface ComposeOptions {
  readonly sourceName: string;
  readonly sourceSize: number;
  readonly bytesPerChunk: number;
}

const BEFORE_ARRAY: ScannerState = { phase: 'before-array', depth: 0, inString: false, escaped: false, scalar: false, resynced: false };

/** Plan a JSON-array source's chunk starts from its block summaries (blocks in byte order, covering the source). */
export function composeJsonArrayStarts(blocks: readonly SummarisedBlock[], options: ComposeOptions): ComposedStarts {
  const { bytesPerChunk, sourceName } = options;
  const starts = [0];
  const cut = (at: number): void => {
    if (at > starts[starts.length - 1]!) starts.push(at);
  };
  let state = BEFORE_ARRAY;
  // A grid point whose cut lies past its own block: it takes the first boundary of a later block.
  let pending = false;
  let expectedStart = 0;
  for (const [k, block] of blocks.entries()) {
    const where = `block ${k} ([${block.start}, ${block.end}))`;
    if (block.start !== expectedStart) return { fallback: `${where} does not follow the previous block` };
    expectedStart = block.end;
    const summary = block.summary;
    if (summary === undefined) return { fallback: `${where} has no summary` };
    if (summary.format !== JSON_ARRAY_BLOCK_SUMMARY_FORMAT || summary.chunkBytes !== bytesPerChunk) {
      return { fallback: `${where} was summarised for chunkBytes ${summary.chunkBytes}, not ${bytesPerChunk}` };
    }
    const answer = answerFor(summary, state);
    if ('fallback' in answer) return { fallback: `${where}: ${answer.fallback}` };
    if ('fatal' in answer) throw new InvalidInputError(sourceName, answer.fatal);
    if (pending && answer.cuts.length > 0) {
      cut(answer.cuts[0]!);
      pending = false;
    }
    let next = 0; // cuts ascend, and so do grid points
    for (let g = firstGridPoint(block.start, bytesPerChunk); g < block.end; g += bytesPerChunk) {
      while (next < answer.cuts.length && answer.cuts[next]! < g) next++;
      if (next === answer.cuts.length) pending = true;
      else cut(answer.cuts[next]!);
    }
    state = answer.end;
  }
  if (expectedStart !== options.sourceSize) return { fallback: `the blocks end at byte ${expectedStart}, not ${options.sourceSize}` };
  // The end of the source in this state: the whole scan's finish throws here on an empty source.
  JsonArrayScanner.resume(sourceName, options.sourceSize, state).finish({ span: () => undefined });
  return { starts };
}

/** The first grid point (k·bytesPerChunk, k ≥ 1) at or after `offset`. */
export function firstGridPoint(offset: number, bytesPerChunk: number): number {
  return Math.max(1, Math.ceil(offset / bytesPerChunk)) * bytesPerChunk;
}

type Answer = BlockRunAnswer | { readonly fallback: string };

/** The block's answer for the state it starts in. */
function answerFor(summary: JsonArrayBlockSummary, state: ScannerState): Answer {
  const start = startOfState(state);
  const pick = (index: number | undefined, what: string): Answer => {
    const answer = index === undefined ? undefined : summary.answers[index];
    return answer ?? { fallback: `the summary has no answer for a start ${what}` };
  };
  if (start.kind === 'class') return pick(summary.starts[start.name], `in state ${start.name}`);
  const family = summary.containers?.[start.family];
  const what = `inside a container of depth ${start.depth} (${start.family})`;
  if (family === undefined) return { fallback: `the summary has no answer for a start ${what}` };
  if (start.depth <= family.depths.length) return pick(family.depths[start.depth - 1], what);
  if (start.depth <= family.endedDepths) return { fallback: `a start ${what} is deeper than the ${family.depths.length} depths summarised` };
  // The element stays open through the block: no record starts, no cuts.
  const open = containerState(start.family, start.depth + family.depthChange);
  return { cuts: [], end: { ...open, inString: family.endsInString, escaped: family.endsEscaped } };
}
