/**
 * Deterministic, plausible LengthIndex values for tests and benchmarks: every field is drawn from
 * an integer hash of (seed, row, field), so the same (n, seed) always gives the same index and no
 * test depends on Math.random.
 */
import { MODALITY_IMAGE_TEXT, MODALITY_INTERLEAVED, MODALITY_TEXT_ONLY, type LengthIndex, type Utf8Column } from '../../lib/core/index/length-index.js';

/** Source names the fixture's rows refer to (index 2 holds the text-only rows). */
export const FIXTURE_SOURCE_NAMES = Object.freeze(['llava-instruct-665k', 'sharegpt4v-mix', 'text-sft']);

/** Image tokens per image (LLaVA-1.5 at 336 px: 24 × 24 patches). */
const TOKENS_PER_IMAGE = 576;

/** A 32-bit avalanche hash of (seed, row, salt) (murmur3 finaliser over a mixed key). */
export function hash32(seed: number, row: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(row + 1, 0xc2b2ae35) ^ Math.imul(salt + 7, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A valid index of n rows: ~30% text-only, ~60% image–text (1–2 images), ~10% interleaved (2–8
 * images); record ids `<source>/<row in base 36>` with every 17th-ish id absent ('').
 */
export function makeLengthIndexFixture(n: number, seed: number): LengthIndex {
  const index = allocate(n);
  // Offsets stay far below 2^53, so they are written as two 32-bit halves (little-endian) into a
  // view of the BigInt64Array: no BigInt allocation per row.
  const offsetWords = new Uint32Array(index.sourceOffsets.buffer);
  const nextOffset = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const draw = hash32(seed, i, 0) % 10;
    const code = draw < 3 ? MODALITY_TEXT_ONLY : draw < 9 ? MODALITY_IMAGE_TEXT : MODALITY_INTERLEAVED;
    const images = code === MODALITY_TEXT_ONLY ? 0 : code === MODALITY_IMAGE_TEXT ? 1 + (hash32(seed, i, 1) % 2) : 2 + (hash32(seed, i, 1) % 7);
    const text = 8 + (hash32(seed, i, 2) % 3000);
    const image = images * TOKENS_PER_IMAGE;
    const sign = code === MODALITY_TEXT_ONLY ? -1 : 1;
    const source = code === MODALITY_TEXT_ONLY ? 2 : hash32(seed, i, 3) % 2;
    index.modality[i] = code;
    index.numImages[i] = images;
    index.textTokens[i] = text;
    index.imageTokens[i] = image;
    index.totalTokens[i] = text + image;
    index.trainableTokens[i] = Math.floor((text * (20 + (hash32(seed, i, 4) % 71))) / 100);
    index.xtunerLength[i] = sign * (text + images);
    index.llavaLength[i] = sign * Math.max(1, Math.floor((text * 3) / 4));
    index.sourceIndex[i] = source;
    const offset = nextOffset[source]!;
    offsetWords[2 * i] = offset % 0x1_0000_0000;
    offsetWords[2 * i + 1] = Math.floor(offset / 0x1_0000_0000);
    nextOffset[source] = offset + 200 + (hash32(seed, i, 5) % 5000);
  }
  return { ...index, recordIds: recordIdsFor(index.sourceIndex, seed) };
}

function allocate(n: number) {
  return {
    sampleCount: n,
    sourceNames: FIXTURE_SOURCE_NAMES,
    sourceIndex: new Int32Array(n),
    sourceOffsets: new BigInt64Array(n),
    numImages: new Uint16Array(n),
    textTokens: new Int32Array(n),
    imageTokens: new Int32Array(n),
    totalTokens: new Int32Array(n),
    trainableTokens: new Int32Array(n),
    modality: new Uint8Array(n),
    xtunerLength: new Int32Array(n),
    llavaLength: new Int32Array(n),
    tokensRow: new Int32Array(n).fill(-1),
  };
}

/** Digits of i in base 36. */
function base36Length(i: number): number {
  let digits = 1;
  for (let rest = Math.floor(i / 36); rest > 0; rest = Math.floor(rest / 36)) digits++;
  return digits;
}

/**
 * Ids `<source>/<row in base 36>`, or '' for about one row in 17, written byte by byte into one
 * buffer: building a string per row takes seconds at 10M rows.
 */
function recordIdsFor(sourceIndex: Int32Array, seed: number): Utf8Column {
  const n = sourceIndex.length;
  const prefixes = FIXTURE_SOURCE_NAMES.map((name) => new TextEncoder().encode(`${name}/`));
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const absent = hash32(seed, i, 6) % 17 === 0;
    offsets[i + 1] = offsets[i]! + (absent ? 0 : prefixes[sourceIndex[i]!]!.length + base36Length(i));
  }
  const bytes = new Uint8Array(offsets[n]!);
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (start === end) continue;
    const prefix = prefixes[sourceIndex[i]!]!;
    bytes.set(prefix, start);
    // Digits right to left, least significant last.
    for (let at = end - 1, rest = i; at >= start + prefix.length; at--, rest = Math.floor(rest / 36)) {
      bytes[at] = DIGITS36[rest % 36]!;
    }
  }
  return { bytes, offsets };
}

const DIGITS36 = new TextEncoder().encode('0123456789abcdefghijklmnopqrstuvwxyz');
