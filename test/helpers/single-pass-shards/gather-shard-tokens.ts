/**
 * Gathering the tokens of a group of ranks from the run's tokens files: every output buffer is
 * sized up front from the length index (input_ids = text tokens + one sentinel per image), the
 * planned entries are bucketed by the tokens file that holds them, and each needed file is read
 * once and copied from, so memory holds the group's tokens plus one tokens file.
 */
import { decodeTokensFileRows, type ShardTokenColumns, type TokensFileRows } from '../../../lib/arrow/index.js';
import { CorruptArtifactError, InvalidInputError } from '../../../lib/core/errors.js';
import type { LengthIndex, Utf8Column } from '../../../lib/core/index/length-index.js';
import { joinKey, type ObjectStore } from '../../../lib/io/object-store.js';
import type { TokensFiles } from '../../../lib/run/shards/shard-run-inputs.js';

/** One rank's token columns being filled; image references land in a heap and are ordered at the end. */
interface RankTokens {
  readonly tokenOffsets: Int32Array;
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  readonly imageOffsets: Int32Array;
  readonly imageTokens: Int32Array;
  readonly refStarts: Int32Array;
  readonly refLengths: Int32Array;
  heap: Uint8Array;
  heapUsed: number;
}

const MAX_LIST_VALUES = 2 ** 31 - 1;

/** The token columns of each rank whose planned sample ids are given, in plan order. */
export async function gatherShardTokens(
  run: ObjectStore,
  index: LengthIndex,
  files: TokensFiles,
  rankIds: readonly Int32Array[],
): Promise<ShardTokenColumns[]> {
  const ranks = rankIds.map((ids) => allocateRank(ids, index));
  const buckets = bucketByFile(rankIds, index, files);
  for (let f = 0; f < files.keys.length; f++) {
    if (buckets.starts[f] === buckets.starts[f + 1]) continue;
    const where = `${run.location}/${joinKey(files.keys[f]!)}`;
    // Views onto the file's bytes, only the columns shards hold: copying whole files cost more than the gather.
    const { rows: samples, provenance } = decodeTokensFileRows(await run.get(files.keys[f]!), where);
    const expectedRows = files.rowStarts[f + 1]! - files.rowStarts[f]!;
    if (samples.sampleCount !== expectedRows) throw new CorruptArtifactError(where, `has ${samples.sampleCount} rows; tokenize.json says ${expectedRows}`);
    if (provenance.tokenizerFingerprint !== files.tokenizerFingerprint) {
      throw new CorruptArtifactError(
        where,
        `was made by tokenizer ${provenance.tokenizerFingerprint.slice(0, 12)}…; tokenize.json says ${files.tokenizerFingerprint.slice(0, 12)}…`,
      );
    }
    for (let k = buckets.starts[f]!; k < buckets.starts[f + 1]!; k++) {
      const g = buckets.order[k]!;
      const r = buckets.entryRank[g]!;
      const p = buckets.entryPos[g]!;
      const id = rankIds[r]![p]!;
      copyEntry(samples, index.tokensRow[id]! - files.rowStarts[f]!, ranks[r]!, p, index, id, where);
    }
  }
  return ranks.map(finishRank);
}

/** Offsets from the index's counts, so every copy goes straight to its final place. */
function allocateRank(ids: Int32Array, index: LengthIndex): RankTokens {
  const n = ids.length;
  const tokenOffsets = new Int32Array(n + 1);
  const imageOffsets = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) {
    const id = ids[p]!;
    const tokens = tokenOffsets[p]! + index.textTokens[id]! + index.numImages[id]!;
    if (tokens > MAX_LIST_VALUES)
      throw new InvalidInputError('shards', `a rank's shard would hold more than ${MAX_LIST_VALUES} tokens (Arrow's 32-bit list offsets); use more ranks`);
    tokenOffsets[p + 1] = tokens;
    imageOffsets[p + 1] = imageOffsets[p]! + index.numImages[id]!;
  }
  const images = imageOffsets[n]!;
  return {
    tokenOffsets,
    imageOffsets,
    inputIds: new Int32Array(tokenOffsets[n]!),
    labels: new Int32Array(tokenOffsets[n]!),
    imageTokens: new Int32Array(images),
    refStarts: new Int32Array(images),
    refLengths: new Int32Array(images),
    heap: new Uint8Array(Math.max(64, images * 24)),
    heapUsed: 0,
  };
}

/** Entries of all ranks grouped by tokens file (counting sort), each as (rank, position). */
function bucketByFile(rankIds: readonly Int32Array[], index: LengthIndex, files: TokensFiles) {
  const total = rankIds.reduce((sum, ids) => sum + ids.length, 0);
  const entryRank = new Int32Array(total);
  const entryPos = new Int32Array(total);
  const entryFile = new Int32Array(total);
  const counts = new Int32Array(files.keys.length + 1);
  let g = 0;
  rankIds.forEach((ids, r) => {
    for (let p = 0; p < ids.length; p++, g++) {
      const f = fileOfRow(files.rowStarts, index.tokensRow[ids[p]!]!, ids[p]!);
      entryRank[g] = r;
      entryPos[g] = p;
      entryFile[g] = f;
      counts[f + 1]!++;
    }
  });
  const starts = new Int32Array(files.keys.length + 1);
  for (let f = 0; f < files.keys.length; f++) starts[f + 1] = starts[f]! + counts[f + 1]!;
  const next = starts.slice(0, files.keys.length);
  const order = new Int32Array(total);
  for (let e = 0; e < total; e++) order[next[entryFile[e]!]!++] = e;
  return { entryRank, entryPos, starts, order };
}

/** The tokens file holding a global tokens row (binary search over the files' first rows). */
function fileOfRow(rowStarts: Float64Array, row: number, id: number): number {
  const files = rowStarts.length - 1;
  if (row < 0 || row >= rowStarts[files]!) {
    throw new CorruptArtifactError('index/lengths.arrow', `tokens_row[${id}] is ${row}; the tokens files hold rows 0–${rowStarts[files]! - 1}`);
  }
  let lo = 0;
  let hi = files - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowStarts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Copy one tokens row into entry p of a rank, checking it is the sample the index describes. It
 * runs once per planned entry, so it allocates nothing per row beyond the two token views.
 */
function copyEntry(samples: TokensFileRows, local: number, rank: RankTokens, p: number, index: LengthIndex, id: number, where: string): void {
  const from = samples.tokenOffsets[local]!;
  const count = samples.tokenOffsets[local + 1]! - from;
  const to = rank.tokenOffsets[p]!;
  if (count !== rank.tokenOffsets[p + 1]! - to) failRow(where, local, id, `has ${count} input ids; the index says ${rank.tokenOffsets[p + 1]! - to}`);
  if (!sameUtf8(samples.recordIds, local, index.recordIds, id)) failRow(where, local, id, 'has another record id than the index row that points at it');
  rank.inputIds.set(samples.inputIds.subarray(from, from + count), to);
  rank.labels.set(samples.labels.subarray(from, from + count), to);
  const firstImage = samples.imageOffsets[local]!;
  const images = samples.imageOffsets[local + 1]! - firstImage;
  const imageRow = rank.imageOffsets[p]!;
  if (images !== rank.imageOffsets[p + 1]! - imageRow)
    failRow(where, local, id, `has ${images} images; the index says ${rank.imageOffsets[p + 1]! - imageRow}`);
  for (let k = 0; k < images; k++) rank.imageTokens[imageRow + k] = samples.imageTokens[firstImage + k]!;
  const itemOffsets = samples.images.offsets;
  for (let k = 0; k < images; k++) {
    const start = itemOffsets[firstImage + k]!;
    const length = itemOffsets[firstImage + k + 1]! - start;
    if (rank.heapUsed + length > rank.heap.length) {
      const grown = new Uint8Array(Math.max(rank.heap.length * 2, rank.heapUsed + length));
      grown.set(rank.heap.subarray(0, rank.heapUsed));
      rank.heap = grown;
    }
    // Image references are short paths: copied byte by byte rather than through a view per reference.
    for (let b = 0; b < length; b++) rank.heap[rank.heapUsed + b] = samples.images.bytes[start + b]!;
    rank.refStarts[imageRow + k] = rank.heapUsed;
    rank.refLengths[imageRow + k] = length;
    rank.heapUsed += length;
  }
}

function failRow(where: string, local: number, id: number, why: string): never {
  throw new CorruptArtifactError(where, `row ${local} (sample ${id}) ${why}`);
}

function sameUtf8(a: Utf8Column, i: number, b: Utf8Column, j: number): boolean {
  const aStart = a.offsets[i]!;
  const bStart = b.offsets[j]!;
  const length = a.offsets[i + 1]! - aStart;
  if (length !== b.offsets[j + 1]! - bStart) return false;
  for (let k = 0; k < length; k++) if (a.bytes[aStart + k] !== b.bytes[bStart + k]) return false;
  return true;
}

/** Image references in image-row order (they arrived in tokens-file order). */
function finishRank(rank: RankTokens): ShardTokenColumns {
  const images = rank.refStarts.length;
  const offsets = new Int32Array(images + 1);
  for (let k = 0; k < images; k++) offsets[k + 1] = offsets[k]! + rank.refLengths[k]!;
  const bytes = new Uint8Array(offsets[images]!);
  for (let k = 0; k < images; k++) bytes.set(rank.heap.subarray(rank.refStarts[k], rank.refStarts[k]! + rank.refLengths[k]!), offsets[k]);
  return {
    tokenOffsets: rank.tokenOffsets,
    inputIds: rank.inputIds,
    labels: rank.labels,
    imageOffsets: rank.imageOffsets,
    images: { bytes, offsets },
    imageTokens: rank.imageTokens,
  };
}
