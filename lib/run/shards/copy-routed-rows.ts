/**
 * The copy at the heart of Route: every entry of the route lists (epochs concatenated) gets its
 * tokens file row — checked to be the sample the index describes — in route-list order. Output
 * buffers are sized exactly in a first pass, so the copy allocates nothing per row.
 */
import type { RouteListRows } from '../../arrow/route-list-file.js';
import type { RoutedRows } from '../../arrow/routed-section-file.js';
import type { TokensFileRows } from '../../arrow/tokens-file.js';
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';
import type { Utf8Column } from '../../core/index/length-index.js';

const MAX_LIST_VALUES = 2 ** 31 - 1;

/** The routed rows of all lists, in order, and each row's section. */
export function copyRoutedRows(lists: readonly RouteListRows[], tokens: TokensFileRows, where: string): { rows: RoutedRows; section: Int32Array } {
  const n = lists.reduce((sum, list) => sum + list.section.length, 0);
  const out = allocate(lists, tokens, n, where);
  let i = 0;
  for (const list of lists) {
    for (let e = 0; e < list.section.length; e++, i++) copyRow(list, e, tokens, out, i);
  }
  return {
    rows: out,
    section: concat(
      lists.map((list) => list.section),
      n,
    ),
  };
}

/** Exact sizes from the route lists' counts and the tokens file's image references; each row checked. */
function allocate(lists: readonly RouteListRows[], tokens: TokensFileRows, n: number, where: string): RoutedRows {
  const tokenOffsets = new Int32Array(n + 1);
  const imageOffsets = new Int32Array(n + 1);
  const idOffsets = new Int32Array(n + 1);
  let refBytes = 0;
  let i = 0;
  for (const list of lists) {
    for (let e = 0; e < list.section.length; e++, i++) {
      const local = list.localRow[e]!;
      checkRow(list, e, tokens, where);
      const t = tokenOffsets[i]! + list.inputIds[e]!;
      if (t > MAX_LIST_VALUES)
        throw new InvalidInputError('shards', `a routed object would hold more than ${MAX_LIST_VALUES} tokens; use smaller chunks (chunkBytes)`);
      tokenOffsets[i + 1] = t;
      imageOffsets[i + 1] = imageOffsets[i]! + list.images[e]!;
      const items = tokens.images.offsets;
      refBytes += items[tokens.imageOffsets[local + 1]!]! - items[tokens.imageOffsets[local]!]!;
      idOffsets[i + 1] = idOffsets[i]! + list.recordIds.offsets[e + 1]! - list.recordIds.offsets[e]!;
    }
  }
  const images = imageOffsets[n]!;
  return {
    rank: new Int32Array(n),
    position: new Int32Array(n),
    sampleId: new Int32Array(n),
    recordIds: { bytes: new Uint8Array(idOffsets[n]!), offsets: idOffsets },
    totalTokens: new Int32Array(n),
    trainableTokens: new Int32Array(n),
    modality: new Uint8Array(n),
    tokens: {
      tokenOffsets,
      inputIds: new Int32Array(tokenOffsets[n]!),
      labels: new Int32Array(tokenOffsets[n]!),
      imageOffsets,
      images: { bytes: new Uint8Array(refBytes), offsets: new Int32Array(images + 1) },
      imageTokens: new Int32Array(images),
    },
  };
}

/** The tokens row must be the sample the index row describes: same record id, token and image counts. */
function checkRow(list: RouteListRows, e: number, tokens: TokensFileRows, where: string): void {
  const local = list.localRow[e]!;
  const id = list.sampleId[e]!;
  const fail = (why: string): never => {
    throw new CorruptArtifactError(where, `row ${local} (sample ${id}) ${why}`);
  };
  if (local < 0 || local >= tokens.sampleCount) fail(`is not a row of this file (it has ${tokens.sampleCount})`);
  const count = tokens.tokenOffsets[local + 1]! - tokens.tokenOffsets[local]!;
  if (count !== list.inputIds[e]) fail(`has ${count} input ids; the index says ${list.inputIds[e]}`);
  const images = tokens.imageOffsets[local + 1]! - tokens.imageOffsets[local]!;
  if (images !== list.images[e]) fail(`has ${images} images; the index says ${list.images[e]}`);
  if (!sameUtf8(tokens.recordIds, local, list.recordIds, e)) fail('has another record id than the index row that points at it');
}

/** Copy entry e of a route list (its row of the tokens file) into routed row i. */
function copyRow(list: RouteListRows, e: number, tokens: TokensFileRows, out: RoutedRows, i: number): void {
  const local = list.localRow[e]!;
  out.rank[i] = list.rank[e]!;
  out.position[i] = list.position[e]!;
  out.sampleId[i] = list.sampleId[e]!;
  out.totalTokens[i] = list.totalTokens[e]!;
  out.trainableTokens[i] = list.trainableTokens[e]!;
  out.modality[i] = list.modality[e]!;
  copyBytes(list.recordIds.bytes, list.recordIds.offsets[e]!, list.recordIds.offsets[e + 1]!, out.recordIds.bytes, out.recordIds.offsets[i]!);
  const t = out.tokens;
  const from = tokens.tokenOffsets[local]!;
  const count = tokens.tokenOffsets[local + 1]! - from;
  t.inputIds.set(tokens.inputIds.subarray(from, from + count), t.tokenOffsets[i]);
  t.labels.set(tokens.labels.subarray(from, from + count), t.tokenOffsets[i]);
  const firstImage = tokens.imageOffsets[local]!;
  const imageRow = t.imageOffsets[i]!;
  const items = tokens.images.offsets;
  for (let k = 0; k < t.imageOffsets[i + 1]! - imageRow; k++) {
    t.imageTokens[imageRow + k] = tokens.imageTokens[firstImage + k]!;
    const start = items[firstImage + k]!;
    const end = items[firstImage + k + 1]!;
    const at = t.images.offsets[imageRow + k]!;
    copyBytes(tokens.images.bytes, start, end, t.images.bytes, at);
    t.images.offsets[imageRow + k + 1] = at + end - start;
  }
}

/** Short strings: a loop beats allocating a subarray per copy. */
function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  for (let b = start; b < end; b++) to[at + b - start] = from[b]!;
}

function sameUtf8(a: Utf8Column, i: number, b: Utf8Column, j: number): boolean {
  const aStart = a.offsets[i]!;
  const bStart = b.offsets[j]!;
  const length = a.offsets[i + 1]! - aStart;
  if (length !== b.offsets[j + 1]! - bStart) return false;
  for (let k = 0; k < length; k++) if (a.bytes[aStart + k] !== b.bytes[bStart + k]) return false;
  return true;
}

function concat(parts: readonly Int32Array[], n: number): Int32Array {
  const out = new Int32Array(n);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
