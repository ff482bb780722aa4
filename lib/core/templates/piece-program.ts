/**
 * The mechanics under the encoder: rendered pieces are compiled into a flat program per sample
 * whose text operands are slots of a deduplicating text table, so a whole batch of conversations
 * needs ONE `encodeBatch` call for the texts nobody has encoded yet; the program is then replayed
 * into typed arrays.
 */
import { IGNORE_LABEL, IMAGE_TOKEN_ID } from '../tokenize/tokenizer.js';
import type { RenderedSample } from './pieces.js';
import { splitAtSpecialTokens, type Segments } from './special-tokens.js';
import type { TextTable } from './text-table.js';

/** Reused for cutting texts, to spare an allocation per piece (compiling is synchronous). */
const SCRATCH: Segments = [];
const NO_PROBES: readonly string[] = [];

// Operation kinds of a compiled program.
const OP_TEXT = 0;
const OP_ID = 1;

/** How special pieces and special-token splitting resolve for one tokenizer. */
export interface SpecialResolver {
  /** Id for a special piece's token, or null for a `bos` the tokenizer lacks. Throws when unknown. */
  resolve(token: string): number | null;
  /** Special tokens verified to split text exactly (may be empty). */
  readonly isolated: ReadonlyMap<string, number>;
}

/** One sample's operations: (kind, operand, trainable) triples, and its probes' operands. */
export interface Program {
  readonly ops: number[];
  /** Per probe: slots of its text segments, then the count of special ids inside it. */
  /**
   * Probe operands, flat: each probe's text slots, then ~count of its special ids (a negative
   * number ends the probe). One array per sample, not one per probe: samples have many probes.
   */
  readonly probes: number[];
}

/** Queue a text's segments (split at verified special tokens) as program operations. */
function pushText(program: Program, table: TextTable, resolver: SpecialResolver, text: string, trainable: number): void {
  const segments = SCRATCH;
  segments.length = 0;
  splitAtSpecialTokens(text, resolver.isolated, segments);
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k]!;
    if (typeof segment === 'string') program.ops.push(OP_TEXT, textSlot(table, segments, k), trainable);
    else program.ops.push(OP_ID, segment, trainable);
  }
}

/**
 * The slot of text segment k: a segment right after a special id follows a special token in the
 * same tokenizer call, which a non-legacy tokenizer encodes differently (text-table.ts).
 */
function textSlot(table: TextTable, segments: Segments, k: number): number {
  const segment = segments[k] as string;
  return k > 0 && typeof segments[k - 1] === 'number' ? table.slotAfterSpecial(segment) : table.slot(segment);
}

/** Compile a rendered sample against the table (texts are only queued, not yet encoded). */
export function compileSample(rendered: RenderedSample, table: TextTable, resolver: SpecialResolver): Program {
  const program: Program = { ops: [], probes: [] };
  const segments = SCRATCH;
  for (const piece of rendered.pieces) {
    if (piece.kind === 'text') {
      pushText(program, table, resolver, piece.text, piece.trainable ? 1 : 0);
    } else if (piece.kind === 'image') {
      program.ops.push(OP_ID, IMAGE_TOKEN_ID, 0);
    } else {
      const id = resolver.resolve(piece.token);
      if (id !== null) program.ops.push(OP_ID, id, piece.trainable ? 1 : 0);
    }
  }
  for (const probe of rendered.labelRule?.probes ?? NO_PROBES) {
    segments.length = 0;
    splitAtSpecialTokens(probe, resolver.isolated, segments);
    let specials = 0;
    for (let k = 0; k < segments.length; k++) {
      if (typeof segments[k] === 'string') program.probes.push(textSlot(table, segments, k));
      else specials += 1;
    }
    program.probes.push(~specials);
  }
  return program;
}

/** Number of ids a program produces. */
export function programLength(program: Program, table: TextTable): number {
  const ops = program.ops;
  let length = 0;
  for (let o = 0; o < ops.length; o += 3) length += ops[o] === OP_TEXT ? table.length(ops[o + 1]!) : 1;
  return length;
}

/**
 * Replay a program into positions [start, end) of `inputIds`/`labels` (per-piece labels, images
 * IGNORE_LABEL), writing only the first `end − start` tokens — so a truncated sample is written
 * straight into its place, and a whole batch can be written into one array.
 */
export function writeSample(program: Program, table: TextTable, inputIds: Int32Array, labels: Int32Array, start = 0, end = inputIds.length): void {
  const ops = program.ops;
  let at = start;
  for (let o = 0; o < ops.length && at < end; o += 3) {
    const trainable = ops[o + 2] === 1;
    if (ops[o] === OP_TEXT) {
      const from = at;
      at = table.copyIds(ops[o + 1]!, inputIds, at, end);
      if (trainable) for (let i = from; i < at; i++) labels[i] = inputIds[i]!;
      else labels.fill(IGNORE_LABEL, from, at);
    } else {
      const id = ops[o + 1]!;
      inputIds[at] = id;
      labels[at] = trainable && id !== IMAGE_TOKEN_ID ? id : IGNORE_LABEL;
      at += 1;
    }
  }
}

/** A program replayed into fresh arrays. */
export function assembleSample(program: Program, table: TextTable): { inputIds: Int32Array; labels: Int32Array } {
  const length = programLength(program, table);
  const sample = { inputIds: new Int32Array(length), labels: new Int32Array(length) };
  writeSample(program, table, sample.inputIds, sample.labels);
  return sample;
}

/** Standalone encoded length of each probe (`len(encode(probe))`, no special tokens added). */
export function probeLengths(program: Program, table: TextTable): Int32Array {
  const probes = program.probes;
  let count = 0;
  for (const operand of probes) if (operand < 0) count += 1;
  const lengths = new Int32Array(count);
  let length = 0;
  let p = 0;
  for (const operand of probes) {
    if (operand >= 0) {
      length += table.length(operand);
    } else {
      lengths[p++] = length + ~operand;
      length = 0;
    }
  }
  return lengths;
}
