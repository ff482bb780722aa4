/**
 * The routing table of one epoch: every planned entry (rank, position) bucketed by the tokens file
 * that holds its sample, and within a file ordered by (section, rank, position) — the order its
 * rows take in the routed object, so an Assemble call finds each rank's rows already in plan
 * order, file by file. A counting sort over the ranks taken in order keeps that order stable.
 */
import { CorruptArtifactError, InvalidInputError } from '../errors.js';

/** One epoch's planned sample ids, rank by rank, and the section each rank belongs to. */
export interface EpochRouting {
  /** rankIds[r] = rank r's planned sample ids in order (padding included). */
  readonly rankIds: readonly Int32Array[];
  /** sectionOfRank[r] = the section (Assemble item) writing rank r; non-decreasing in r. */
  readonly sectionOfRank: Int32Array;
}

/** Where the samples' tokens are: `tokens_row` by sample id and the tokens files' first rows. */
export interface TokensRows {
  readonly tokensRow: Int32Array;
  /** files + 1 row offsets: tokens row t is in file f when rowStarts[f] ≤ t < rowStarts[f + 1]. */
  readonly rowStarts: Float64Array;
}

/** The epoch's entries grouped by tokens file: file f's are [fileStarts[f], fileStarts[f + 1]). */
export interface RoutedEntries {
  readonly fileStarts: Float64Array;
  readonly section: Int32Array;
  readonly rank: Int32Array;
  readonly position: Int32Array;
  readonly sampleId: Int32Array;
  /** The sample's row inside its tokens file. */
  readonly localRow: Int32Array;
}

/** Bucket an epoch's entries by tokens file (two passes: count, then place). */
export function routeEpochEntries(routing: EpochRouting, rows: TokensRows): RoutedEntries {
  const { rankIds, sectionOfRank } = routing;
  if (sectionOfRank.length !== rankIds.length) throw new InvalidInputError('sectionOfRank', `has ${sectionOfRank.length} entries for ${rankIds.length} ranks`);
  const files = rows.rowStarts.length - 1;
  const fileStarts = new Float64Array(files + 1);
  for (const ids of rankIds) for (let p = 0; p < ids.length; p++) fileStarts[fileOfSample(rows, ids[p]!) + 1]!++;
  for (let f = 0; f < files; f++) fileStarts[f + 1]! += fileStarts[f]!;
  const total = fileStarts[files]!;
  const out: RoutedEntries = {
    fileStarts,
    section: new Int32Array(total),
    rank: new Int32Array(total),
    position: new Int32Array(total),
    sampleId: new Int32Array(total),
    localRow: new Int32Array(total),
  };
  const next = fileStarts.slice(0, files);
  rankIds.forEach((ids, rank) => {
    const section = sectionOfRank[rank]!;
    for (let p = 0; p < ids.length; p++) {
      const id = ids[p]!;
      const f = fileOfSample(rows, id);
      const at = next[f]!++;
      out.section[at] = section;
      out.rank[at] = rank;
      out.position[at] = p;
      out.sampleId[at] = id;
      out.localRow[at] = rows.tokensRow[id]! - rows.rowStarts[f]!;
    }
  });
  return out;
}

/** The tokens file holding sample `id` (binary search over the files' first rows). */
export function fileOfSample(rows: TokensRows, id: number): number {
  const files = rows.rowStarts.length - 1;
  const row = id >= 0 && id < rows.tokensRow.length ? rows.tokensRow[id]! : -1;
  if (row < 0 || row >= rows.rowStarts[files]!) {
    throw new CorruptArtifactError('index/lengths.arrow', `tokens_row[${id}] is ${row}; the tokens files hold rows 0–${rows.rowStarts[files]! - 1}`);
  }
  let lo = 0;
  let hi = files - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rows.rowStarts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Each rank's section, from the sections of one epoch given as consecutive rank ranges. */
export function sectionsOfRanks(
  worldSize: number,
  sections: ReadonlyArray<{ readonly section: number; readonly ranks: readonly [number, number] }>,
): Int32Array {
  const out = new Int32Array(worldSize).fill(-1);
  for (const { section, ranks } of sections) for (let r = ranks[0]; r < ranks[1]; r++) out[r] = section;
  const missing = out.indexOf(-1);
  if (missing >= 0) throw new InvalidInputError('sections', `rank ${missing} of ${worldSize} belongs to no section`);
  return out;
}
