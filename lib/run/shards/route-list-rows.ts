import type { RouteListRows } from '../../arrow/route-list-file.js';
import type { LengthIndex } from '../../core/index/length-index.js';
import type { RoutedEntries } from '../../core/shards/route-entries.js';

/**
 * The route list of one tokens file for one epoch: its slice of the epoch's routed entries, plus
 * what the shard rows repeat from the length index (gathered by sample id, columnar).
 */
export function routeListRows(entries: RoutedEntries, file: number, index: LengthIndex): RouteListRows {
  const from = entries.fileStarts[file]!;
  const to = entries.fileStarts[file + 1]!;
  const n = to - from;
  const sampleId = entries.sampleId.subarray(from, to);
  const inputIds = new Int32Array(n);
  const images = new Int32Array(n);
  const totalTokens = new Int32Array(n);
  const trainableTokens = new Int32Array(n);
  const modality = new Uint8Array(n);
  const idOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const id = sampleId[i]!;
    inputIds[i] = index.textTokens[id]! + index.numImages[id]!;
    images[i] = index.numImages[id]!;
    totalTokens[i] = index.totalTokens[id]!;
    trainableTokens[i] = index.trainableTokens[id]!;
    modality[i] = index.modality[id]!;
    idOffsets[i + 1] = idOffsets[i]! + index.recordIds.offsets[id + 1]! - index.recordIds.offsets[id]!;
  }
  const idBytes = new Uint8Array(idOffsets[n]!);
  for (let i = 0; i < n; i++) {
    const id = sampleId[i]!;
    idBytes.set(index.recordIds.bytes.subarray(index.recordIds.offsets[id], index.recordIds.offsets[id + 1]), idOffsets[i]);
  }
  return {
    section: entries.section.subarray(from, to),
    rank: entries.rank.subarray(from, to),
    position: entries.position.subarray(from, to),
    localRow: entries.localRow.subarray(from, to),
    sampleId,
    recordIds: { bytes: idBytes, offsets: idOffsets },
    inputIds,
    images,
    totalTokens,
    trainableTokens,
    modality,
  };
}
