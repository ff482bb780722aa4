import { InvalidInputError } from '../errors.js';
import { Mt19937 } from '../rng/mt19937.js';
import { numpyShuffleInPlace } from './numpy-random-state.js';
import { PackListBuilder, type PackList } from './pack-list.js';
import { datasetRanges } from './dataset-ranges.js';
import { Int32List } from './growable-lists.js';

/** Strategy id of the XTuner V1 hard-packing parity mode. */
export const XTUNER_V1_HARD_PACK_ID = 'xtuner-v1-hard-pack@1';

/** `HardPackDataset` arguments (`pack_workers` and `pack_chunk_size` only split the work). */
export interface XtunerHardPackParams {
  readonly packMaxLength: number;
  readonly globalPack: boolean;
  /** `np.random.RandomState(seed)`: numpy accepts [0, 2^32) only. */
  readonly seed: bigint;
  readonly datasetSizes: readonly number[];
}

/** Hard packs: every pack is exactly `packMaxLength` tokens cut from a shuffled token stream. */
export interface HardPackList extends PackList {
  /** Tokens of the pack's first member skipped (they ended the previous pack). */
  readonly startOffset: Int32Array;
  /** Tokens of the pack's last member used (the end of the slice within that sample). */
  readonly endOffset: Int32Array;
}

/**
 * XTuner V1's `HardPackDataset` pack list (InternLM/xtuner@b934f46, `get_pack_infos_by_hard_split`
 * and `_hard_pack_chunk_core`): per range, `RandomState(seed).shuffle` the indices (one stream
 * for all ranges), lay the samples end to end, and cut `floor(total / L)` packs of L tokens; the
 * shorter tail is dropped. Samples straddle pack boundaries; `packLongest` is the longest piece.
 */
export function xtunerHardPack(numTokens: Int32Array, params: XtunerHardPackParams): HardPackList {
  if (params.seed >= 1n << 32n) {
    throw new InvalidInputError('params.seed', `is ${params.seed}; numpy's RandomState needs a seed in [0, 2^32)`);
  }
  const rng = Mt19937.fromTorchSeed(params.seed);
  const out = new PackListBuilder();
  const startOffsets = new Int32List();
  const endOffsets = new Int32List();
  const ranges = datasetRanges(numTokens.length, params.datasetSizes, params.globalPack);
  ranges.forEach(([start, end], datasetId) => {
    const order = new Int32Array(end - start);
    for (let i = 0; i < order.length; i++) order[i] = i;
    numpyShuffleInPlace(order, rng);
    cutHardPacks(order, numTokens.subarray(start, end), params.packMaxLength, datasetId, { out, startOffsets, endOffsets });
  });
  return { ...out.build(), startOffset: startOffsets.toArray(), endOffset: endOffsets.toArray() };
}

interface HardPackSink {
  readonly out: PackListBuilder;
  readonly startOffsets: Int32List;
  readonly endOffsets: Int32List;
}

/**
 * Pack k covers stream tokens [kL, (k+1)L): its first member is the last sample starting at or
 * before kL, its last the last one starting at or before (k+1)L − 1 (numpy's
 * `searchsorted(cu, …, side="right") − 1` over the cumulative lengths, walked with one cursor).
 */
function cutHardPacks(order: Int32Array, numTokens: Int32Array, packMaxLength: number, datasetId: number, sink: HardPackSink): void {
  const cumulative = new Float64Array(order.length + 1);
  for (let i = 0; i < order.length; i++) cumulative[i + 1] = cumulative[i]! + numTokens[order[i]!]!;
  // int(sum / L) in Python: a float64 division, truncated.
  const packTotal = Math.trunc(cumulative[order.length]! / packMaxLength);
  let first = 0;
  for (let k = 0; k < packTotal; k++) {
    const begin = k * packMaxLength;
    const end = begin + packMaxLength;
    while (first + 1 <= order.length && cumulative[first + 1]! <= begin) first++;
    let last = first;
    while (last + 1 <= order.length && cumulative[last + 1]! <= end - 1) last++;
    const startOffset = begin - cumulative[first]!;
    const endOffset = end - cumulative[last]!;
    for (let i = first; i <= last; i++) sink.out.push(order[i]!);
    sink.out.closePack(longestPiece(order, numTokens, first, last, startOffset, endOffset), datasetId);
    sink.startOffsets.push(startOffset);
    sink.endOffsets.push(endOffset);
  }
}

/** The longest slice in the pack: the first's remainder, the last's head, or a whole middle sample. */
function longestPiece(order: Int32Array, numTokens: Int32Array, first: number, last: number, startOffset: number, endOffset: number): number {
  if (first === last) return endOffset - startOffset;
  let longest = Math.max(numTokens[order[first]!]! - startOffset, endOffset);
  for (let i = first + 1; i < last; i++) longest = Math.max(longest, numTokens[order[i]!]!);
  return longest;
}
