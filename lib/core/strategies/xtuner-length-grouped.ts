import { z } from 'zod';
import type { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { SegmentSorter, absoluteLengths } from '../sort/segment-sorter.js';
import { commonSpecFields, megaBatchMultSchema } from '../spec/common-fields.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { Strategy } from './strategy.js';
import { cutMegaBatches, sortEachMegaBatchDescending, type MegaBatches } from './blocks/mega-batches.js';
import { splitByModality, isSingleModality, takeIds } from './blocks/modality-split.js';
import { mergeModalityTails } from './blocks/merge-modality-tails.js';
import { reorderMegaBatches, withTailKept } from './blocks/reorder-mega-batches.js';
import { swapLongestHeadFirst } from './blocks/longest-first-swap.js';
import { signedLengthKeys } from './blocks/sort-keys.js';
import { defaultMegaBatchMult } from './blocks/default-mega-batch-mult.js';
import { epochGenerator } from './blocks/epoch-generator.js';
import { padCyclic, unpadded } from './blocks/cyclic-pad.js';
import { strideToRanks } from './blocks/strided-ranks.js';
import { planFromLayout } from './blocks/rank-layout.js';
import { assertEpoch } from './blocks/assert-epoch.js';

/**
 * XTuner's `LengthGroupedSampler` (InternLM/xtuner `xtuner/dataset/samplers/length_grouped.py`),
 * reproduced bit for bit, quirks included (notes §2.1–2.2): they are what XTuner runs train on.
 */
const xtunerSpecSchema = z
  .object({
    ...commonSpecFields,
    megaBatchMult: megaBatchMultSchema,
    roundUp: z.boolean().default(true).describe('XTuner round_up: pad cyclically so every rank runs the same number of micro-steps.'),
  })
  .strict();

/** A validated `xtuner-length-grouped` spec. */
export type XtunerLengthGroupedSpec = z.infer<typeof xtunerSpecSchema>;

/**
 * XTuner's `get_length_grouped_indices(lengths, group_batch_size, generator)`: the global order of
 * one epoch, before round-up and the rank split. Draws, in this order, `randperm(#multimodal)`,
 * `randperm(#text)` and `randperm(#full mega-batches)` from `rng` (a single-modality dataset draws
 * one `randperm(n)`).
 */
export function xtunerLengthGroupedIndices(lengths: Int32Array, groupBatchSize: number, rng: Mt19937): Int32Array {
  const sorter = new SegmentSorter();
  const absKeys = absoluteLengths(lengths);
  const split = splitByModality(lengths);
  let megaBatches: MegaBatches;
  if (isSingleModality(split)) {
    // `process(lengths)`: shuffle, cut, sort each mega-batch by the RAW length. For an all-text
    // dataset the raw values are negative, so mega-batches come out shortest first (quirk B).
    megaBatches = cutMegaBatches(torchRandperm(lengths.length, rng), groupBatchSize);
    sortEachMegaBatchDescending(megaBatches, signedLengthKeys(lengths), sorter);
  } else {
    // `process` runs per modality on |length| (mm_lengths, then -l for text), in dataset order.
    const multimodal = shuffledModality(split.multimodalIds, groupBatchSize, rng, absKeys, sorter);
    const text = shuffledModality(split.textIds, groupBatchSize, rng, absKeys, sorter);
    // `mm[:-1] + lang[:-1]` shuffled as whole mega-batches; the merged tails stay last (quirk C)
    // and are re-sorted together by |length|.
    const merged = mergeModalityTails(multimodal, text);
    const order = torchRandperm(merged.fullCount, rng);
    megaBatches = reorderMegaBatches(merged.megaBatches, withTailKept(order, merged.fullCount + 1));
    const tail = megaBatches.bounds.length - 2;
    sorter.sortDescending(megaBatches.ids, megaBatches.bounds[tail]!, megaBatches.bounds[tail + 1]!, absKeys);
  }
  // Longest head first, judged by |length| of each mega-batch's first element (quirks A and B).
  swapLongestHeadFirst(megaBatches, absKeys);
  return megaBatches.ids;
}

/** One modality's `process(...)`: randperm of its samples mapped to dataset ids, cut, sorted. */
function shuffledModality(ids: Int32Array, groupBatchSize: number, rng: Mt19937, absKeys: Uint32Array, sorter: SegmentSorter): MegaBatches {
  const megaBatches = cutMegaBatches(takeIds(ids, torchRandperm(ids.length, rng)), groupBatchSize);
  sortEachMegaBatchDescending(megaBatches, absKeys, sorter);
  return megaBatches;
}

/** The sampler's sizes (`LengthGroupedSampler.__init__`) for n samples. */
export interface XtunerSamplerSizes {
  /** `mega_batch_mult · per_device_batch_size · world_size`. */
  readonly groupBatchSize: number;
  /** Length of the list before the rank split (n without round_up). */
  readonly totalSize: number;
}

/**
 * `__init__`'s arithmetic. XTuner's `per_device_batch_size` is our perDeviceBatchSize ×
 * gradientAccumulation (XTuner configs pass batch × accumulative_counts), so one group is one
 * optimizer step across all ranks.
 */
export function xtunerSamplerSizes(sampleCount: number, spec: XtunerLengthGroupedSpec): XtunerSamplerSizes {
  const xtunerBatch = spec.perDeviceBatchSize * spec.gradientAccumulation;
  const totalBatchSize = xtunerBatch * spec.worldSize;
  const mult = spec.megaBatchMult ?? defaultMegaBatchMult(sampleCount, totalBatchSize);
  // Same float expression as upstream's math.ceil(len / world_size / per_device_batch_size).
  const numIters = Math.ceil(sampleCount / spec.worldSize / xtunerBatch);
  const totalSize = spec.roundUp ? numIters * xtunerBatch * spec.worldSize : sampleCount;
  return { groupBatchSize: mult * totalBatchSize, totalSize };
}

function planXtunerEpoch(lengths: Int32Array, spec: XtunerLengthGroupedSpec, epoch: number): EpochPlan {
  validateLengths(lengths, { allowNegative: true });
  assertEpoch(epoch);
  const sizes = xtunerSamplerSizes(lengths.length, spec);
  // `__iter__`: a fresh generator seeded seed + epoch (set_epoch), so epochs are independent.
  const order = xtunerLengthGroupedIndices(lengths, sizes.groupBatchSize, epochGenerator(spec.seed, epoch));
  // round_up repeats the whole list cyclically; without it each rank takes its stride of n.
  const padded = spec.roundUp ? padCyclic(order, sizes.totalSize) : unpadded(order);
  const layout = strideToRanks(padded, spec.worldSize);
  return planFromLayout({ strategyId: xtunerLengthGroupedStrategy.id, epoch, worldSize: spec.worldSize, microBatchSize: spec.perDeviceBatchSize }, layout);
}

/** XTuner's LengthGroupedSampler, exactly (signed modality lengths, XTuner length column). */
export const xtunerLengthGroupedStrategy: Strategy<XtunerLengthGroupedSpec> = {
  id: 'xtuner-length-grouped@1',
  summary: "XTuner's LengthGroupedSampler, bit for bit (modality mega-batches, seed+epoch, cyclic round_up, quirks kept).",
  specSchema: xtunerSpecSchema,
  defaultLengthColumn: 'xtuner',
  usesModalitySign: true,
  validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: true }, field),
  planEpoch: planXtunerEpoch,
};
