import { InvalidInputError } from '../errors.js';
import type { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { epochGenerator } from '../strategies/blocks/epoch-generator.js';
import { padCyclic } from '../strategies/blocks/cyclic-pad.js';
import type { RankLayout } from '../strategies/blocks/rank-layout.js';
import { strideToRanks } from '../strategies/blocks/strided-ranks.js';
import { pythonRandom, pythonShuffleInPlace } from './python-random.js';

/** Strategy id of the XTuner V1 pack-level length-grouped sampler parity mode. */
export const XTUNER_V1_PACK_LENGTH_GROUPED_ID = 'xtuner-v1-pack-length-grouped@1';

/** `LengthGroupedSampler` arguments (xtuner/v1/datasets/sampler.py). */
export interface XtunerPackSamplerParams {
  readonly worldSize: number;
  readonly globalBatchSize: number;
  readonly seed: bigint;
  readonly epoch: number;
  readonly roundUp: boolean;
  /** 0, or the consumed-sample position restored by `load_state_dict`. */
  readonly step: number;
}

/** The sampler's derived sizes, named as upstream. */
export interface XtunerPackSamplerSizes {
  readonly megaBatchMult: number;
  readonly groupBatchSize: number;
  readonly groupSize: number;
  /** Entries per rank before a resume (`num_samples`). */
  readonly numSamples: number;
  readonly totalSize: number;
}

/** What every rank iterates, and the grouped order before padding. */
export interface XtunerPackSamplerOutput extends RankLayout {
  readonly globalOrder: Int32Array;
  readonly sizes: XtunerPackSamplerSizes;
}

const GROUP_BATCH_FACTOR = 4;
const MAX_GROUP_BATCH_SIZE = 50;

/** `LengthGroupedSampler.__init__`'s sizes for N packs. */
export function xtunerPackSamplerSizes(packCount: number, params: XtunerPackSamplerParams): XtunerPackSamplerSizes {
  const { worldSize: W, globalBatchSize: G } = params;
  if (G % W !== 0) throw new InvalidInputError('params.global_batch_size', `${G} is not a multiple of world_size ${W}`);
  const megaBatchMult = Math.min(Math.floor(packCount / (G * GROUP_BATCH_FACTOR)), MAX_GROUP_BATCH_SIZE) || 1;
  const batches = params.roundUp ? Math.ceil(packCount / G) : Math.floor(packCount / G);
  const numSamples = Math.floor((batches * G) / W);
  return { megaBatchMult, groupBatchSize: megaBatchMult * G, groupSize: W, numSamples, totalSize: numSamples * W };
}

/**
 * XTuner V1's pack-level `LengthGroupedSampler`, every rank's list for one epoch, element for
 * element. Steps (`__iter__` and `get_length_grouped_indices`):
 * 1. reseed a torch generator and a Python `random.Random` with `seed + epoch`;
 * 2. `randperm(N)` cut into mega-batches of `groupBatchSize`; each sorted by `maxLengths`
 *    descending, stably (ties keep their permutation order), cut into groups of W, and the groups
 *    shuffled by the Python generator (one stream across mega-batches) → the global order;
 * 3. round up cyclically to `totalSize` (or cut to it), then rank r takes `step + r`, `+ W`, ….
 */
export function xtunerPackSampler(maxLengths: ArrayLike<number>, params: XtunerPackSamplerParams): XtunerPackSamplerOutput {
  const packCount = maxLengths.length;
  if (packCount === 0) throw new InvalidInputError('max_lengths', 'is empty; the sampler needs at least one pack');
  const sizes = xtunerPackSamplerSizes(packCount, params);
  if (!Number.isInteger(params.step) || params.step < 0 || params.step > sizes.totalSize) {
    throw new InvalidInputError('params.step', `is ${params.step}; it must be an integer in [0, total_size = ${sizes.totalSize}]`);
  }
  const torchRng = epochGenerator(params.seed, params.epoch);
  const pythonRng = pythonRandom(params.seed + BigInt(params.epoch));
  const perm = torchRandperm(packCount, torchRng);
  const globalOrder = new Int32Array(packCount);
  for (let start = 0; start < packCount; start += sizes.groupBatchSize) {
    const end = Math.min(start + sizes.groupBatchSize, packCount);
    const sorted = sortDescendingStable(perm.subarray(start, end), maxLengths);
    shuffleGroupsInto(sorted, sizes.groupSize, pythonRng, globalOrder, start);
  }
  const padded = params.roundUp
    ? padCyclic(globalOrder, sizes.totalSize)
    : { ids: globalOrder.slice(0, sizes.totalSize), isPadding: new Uint8Array(sizes.totalSize) };
  const resumed = { ids: padded.ids.subarray(params.step), isPadding: padded.isPadding.subarray(params.step) };
  return { ...strideToRanks(resumed, params.worldSize), globalOrder, sizes };
}

/** Python's `sorted(megabatch, key=max_lengths.__getitem__, reverse=True)`: descending, ties in input order. */
function sortDescendingStable(megaBatch: Int32Array, keys: ArrayLike<number>): Int32Array {
  // Sort positions, not ids, so the tie-break on input order needs no lookup table.
  const positions = Int32Array.from({ length: megaBatch.length }, (_, p) => p);
  positions.sort((p, q) => keys[megaBatch[q]!]! - keys[megaBatch[p]!]! || p - q);
  return positions.map((p) => megaBatch[p]!);
}

/** Cut into groups of `groupSize` (the last may be short), shuffle the groups, write them out in their new order. */
function shuffleGroupsInto(sorted: Int32Array, groupSize: number, rng: Mt19937, out: Int32Array, offset: number): void {
  const groups = Int32Array.from({ length: Math.ceil(sorted.length / groupSize) }, (_, g) => g);
  pythonShuffleInPlace(groups, rng);
  let write = offset;
  for (const g of groups) {
    const group = sorted.subarray(g * groupSize, Math.min((g + 1) * groupSize, sorted.length));
    out.set(group, write);
    write += group.length;
  }
}
