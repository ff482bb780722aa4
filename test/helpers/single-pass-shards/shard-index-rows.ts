import type { DecodedPlanRank, ShardRows } from '../../../lib/arrow/index.js';
import { CorruptArtifactError } from '../../../lib/core/errors.js';
import type { LengthIndex } from '../../../lib/core/index/length-index.js';

/**
 * A rank's index columns in plan order: ids, signed lengths and padding flags from its plan file,
 * record ids, token counts and modality gathered from the length index by sample id.
 */
export function shardIndexRows(plan: DecodedPlanRank, index: LengthIndex, where: string): ShardRows {
  const ids = plan.sampleIds;
  const n = ids.length;
  const totalTokens = new Int32Array(n);
  const trainableTokens = new Int32Array(n);
  const modality = new Uint8Array(n);
  const idOffsets = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) {
    const id = ids[p]!;
    if (id < 0 || id >= index.sampleCount) throw new CorruptArtifactError(where, `sample_id[${p}] is ${id}; the length index has ${index.sampleCount} samples`);
    totalTokens[p] = index.totalTokens[id]!;
    trainableTokens[p] = index.trainableTokens[id]!;
    modality[p] = index.modality[id]!;
    idOffsets[p + 1] = idOffsets[p]! + index.recordIds.offsets[id + 1]! - index.recordIds.offsets[id]!;
  }
  const idBytes = new Uint8Array(idOffsets[n]!);
  for (let p = 0; p < n; p++) {
    const id = ids[p]!;
    idBytes.set(index.recordIds.bytes.subarray(index.recordIds.offsets[id], index.recordIds.offsets[id + 1]), idOffsets[p]);
  }
  return {
    sampleIds: ids,
    recordIds: { bytes: idBytes, offsets: idOffsets },
    lengths: plan.lengths,
    totalTokens,
    trainableTokens,
    modality,
    isPadding: plan.isPadding,
  };
}
