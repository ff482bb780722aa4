import { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { PackListBuilder, type PackList } from './pack-list.js';
import { packSoftChunk } from './xtuner-soft-pack-chunk.js';
import { datasetRanges } from './dataset-ranges.js';

/** Strategy id of the XTuner V1 soft-packing parity mode. */
export const XTUNER_V1_SOFT_PACK_ID = 'xtuner-v1-soft-pack@1';

/** `ExpandSoftPackDataset` arguments, in our names (`pack_workers` is absent: it never changes the result). */
export interface XtunerSoftPackParams {
  readonly packMaxLength: number;
  readonly globalPack: boolean;
  readonly extraBufferSize: number;
  readonly chunkSize: number;
  /** `torch.Generator().manual_seed(seed)`: any integer in [0, 2^64), low 32 bits used. */
  readonly seed: bigint;
  /** Samples per input dataset, in dataset order; they sum to numTokens.length. */
  readonly datasetSizes: readonly number[];
}

/**
 * XTuner V1's `ExpandSoftPackDataset` pack list, element for element (InternLM/xtuner@b934f46,
 * xtuner/v1/datasets/packing.py). Steps:
 * 1. one torch generator seeded with `seed`; with `globalPack` all datasets form one range,
 *    otherwise each dataset is its own range and draws its `randperm` next from the same stream;
 * 2. each range's permutation is cut into chunks of `chunkSize`, each packed on its own
 *    (`get_pack_chunk_infos`; see packSoftChunk), packs listed chunk by chunk.
 * Members are indices into the range (local to `packDatasetId` when not packing globally);
 * `packLongest` is the truncated flops sum XTuner's sampler sorts by, not a length.
 */
export function xtunerSoftPack(numTokens: Int32Array, proxyFlops: Float64Array, params: XtunerSoftPackParams): PackList {
  const rng = Mt19937.fromTorchSeed(params.seed);
  const out = new PackListBuilder();
  const limits = { packMaxLength: params.packMaxLength, extraBufferSize: params.extraBufferSize };
  const ranges = datasetRanges(numTokens.length, params.datasetSizes, params.globalPack);
  ranges.forEach(([start, end], datasetId) => {
    const samples = { numTokens: numTokens.subarray(start, end), proxyFlops: proxyFlops.subarray(start, end) };
    const order = torchRandperm(end - start, rng);
    for (let from = 0; from < order.length; from += params.chunkSize) {
      // A copy: the chunk packer consumes its list as XTuner's pops do.
      const chunk = order.slice(from, Math.min(from + params.chunkSize, order.length));
      packSoftChunk(chunk, samples, limits, datasetId, out);
    }
  });
  return out.build();
}
