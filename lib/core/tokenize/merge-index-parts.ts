import { findDuplicateIds, type RecordReject } from '../corpus/read-chunk.js';
import { NUMERIC_INDEX_COLUMNS, newNumericIndexColumns, utf8At, type LengthIndex } from '../index/length-index.js';

/** One chunk's length-index part, with where it sits in the run. */
export interface IndexPart {
  /** Index of the part's source in the dataset's source list. */
  readonly sourceIndex: number;
  readonly index: LengthIndex;
}

/** The run-wide index and the records the duplicate-id policy removed. */
export interface MergedIndex {
  readonly index: LengthIndex;
  readonly duplicates: readonly RecordReject[];
}

/**
 * Merge chunk parts, given in (source, chunk) order, into the global length index: rows in
 * source-then-byte order — the same for any chunking —, `tokens_row` rebased to the run-wide
 * tokens row, and the duplicate-id policy applied per source (first record kept, later ones
 * left out and reported). Split documents (several rows of one record) are one record here.
 */
export function mergeIndexParts(parts: readonly IndexPart[], sourceNames: readonly string[]): MergedIndex {
  const duplicates = findAllDuplicates(parts, sourceNames);
  const dropped = new Set(duplicates.map((d) => `${d.source}\u0000${d.byteOffset}`));
  // Which rows stay, per part (duplicates are rare: most parts keep every row).
  const kept = parts.map((part) => {
    const source = sourceNames[part.sourceIndex]!;
    const mask = new Uint8Array(part.index.sampleCount).fill(1);
    if (dropped.size > 0) {
      for (let row = 0; row < mask.length; row++) if (dropped.has(`${source}\u0000${part.index.sourceOffsets[row]}`)) mask[row] = 0;
    }
    return mask;
  });
  return { index: gather(parts, kept, sourceNames), duplicates };
}

function findAllDuplicates(parts: readonly IndexPart[], sourceNames: readonly string[]): RecordReject[] {
  const rejects: RecordReject[] = [];
  sourceNames.forEach((source, s) => {
    const records = function* () {
      let previous = -1n;
      for (const part of parts) {
        if (part.sourceIndex !== s) continue;
        const { recordIds, sourceOffsets } = part.index;
        for (let row = 0; row < part.index.sampleCount; row++) {
          const offset = sourceOffsets[row]!;
          if (offset === previous) continue; // another part of the same split document
          previous = offset;
          // Most interleaved documents have no id: skip decoding an empty string.
          const empty = recordIds.offsets[row] === recordIds.offsets[row + 1];
          yield { id: empty ? '' : utf8At(recordIds, row), byteOffset: Number(offset) };
        }
      }
    };
    rejects.push(...findDuplicateIds(source, records()));
  });
  return rejects;
}

/** Copy the kept rows of every part into one index, column by column (typed arrays only). */
function gather(parts: readonly IndexPart[], kept: readonly Uint8Array[], sourceNames: readonly string[]): LengthIndex {
  const n = kept.reduce((sum, mask) => sum + mask.reduce((a, b) => a + b, 0), 0);
  const idBytes = parts.reduce((sum, part) => sum + part.index.recordIds.bytes.length, 0);
  const out = newNumericIndexColumns(n);
  const sourceIndex = new Int32Array(n);
  const tokensRow = new Int32Array(n);
  const idsOut = { bytes: new Uint8Array(idBytes), offsets: new Int32Array(n + 1) };
  let at = 0;
  let tokensBase = 0;
  parts.forEach((part, p) => {
    const mask = kept[p]!;
    const ids = part.index.recordIds;
    if (!mask.includes(0)) {
      // The usual case, no duplicate in this part: bulk copies.
      for (const key of NUMERIC_INDEX_COLUMNS) (out[key] as Int32Array).set(part.index[key] as Int32Array, at);
      sourceIndex.fill(part.sourceIndex, at, at + mask.length);
      const byteBase = idsOut.offsets[at]!;
      idsOut.bytes.set(ids.bytes.subarray(0, ids.offsets[mask.length]), byteBase);
      for (let row = 0; row < mask.length; row++) {
        tokensRow[at + row] = tokensBase + row;
        idsOut.offsets[at + row + 1] = byteBase + ids.offsets[row + 1]!;
      }
      at += mask.length;
      tokensBase += mask.length;
      return;
    }
    for (let row = 0; row < mask.length; row++) {
      if (mask[row] === 0) continue;
      for (const key of NUMERIC_INDEX_COLUMNS) (out[key] as Int32Array)[at] = (part.index[key] as Int32Array)[row]!;
      sourceIndex[at] = part.sourceIndex;
      tokensRow[at] = tokensBase + row;
      const start = ids.offsets[row]!;
      const end = ids.offsets[row + 1]!;
      idsOut.bytes.set(ids.bytes.subarray(start, end), idsOut.offsets[at]!);
      idsOut.offsets[at + 1] = idsOut.offsets[at]! + (end - start);
      at++;
    }
    tokensBase += mask.length;
  });
  const recordIds = { bytes: idsOut.bytes.slice(0, idsOut.offsets[n]!), offsets: idsOut.offsets };
  return { sampleCount: n, recordIds, sourceNames, sourceIndex, tokensRow, ...out };
}
