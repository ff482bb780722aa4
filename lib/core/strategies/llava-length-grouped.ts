import { z } from 'zod';
import { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { SegmentSorter } from '../sort/segment-sorter.js';
import { commonSpecFields } from '../spec/common-fields.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { Strategy } from './strategy.js';
import { cutMegaBatches, sortEachMegaBatchDescending } from './blocks/mega-batches.js';
import { splitToEvenChunks } from './blocks/split-to-even-chunks.js';
import { LightestChunkHeap } from './blocks/lightest-chunk-heap.js';
import { signedLengthKeys } from './blocks/sort-keys.js';
import { dealEvenBatches } from './blocks/accelerate-even-batches.js';
import { planFromLayout } from './blocks/rank-layout.js';
import { assertEpoch } from './blocks/assert-epoch.js';

/**
 * LLaVA's `LengthGroupedSampler` (haotian-liu/LLaVA `llava/train/llava_trainer.py`, notes §4) with
 * group_by_modality=False. Both LLaVA strategies share this spec: LLaVA has no options of its own.
 */
export const llavaSpecSchema = z.object({ ...commonSpecFields }).strict();

/** A validated spec of either LLaVA strategy. */
export type LlavaSpec = z.infer<typeof llavaSpecSchema>;

/**
 * The `world_size` LLaVA's trainer gives its sampler: `args.world_size × gradient_accumulation_steps`
 * (commit f16049a), so one mega-batch of `world_size · batch_size` is one optimizer step.
 */
export function llavaSamplerWorldSize(spec: LlavaSpec): number {
  return spec.worldSize * spec.gradientAccumulation;
}

/**
 * The body of LLaVA's `get_length_grouped_indices` after its `randperm`: cut the shuffled ids into
 * mega-batches of `worldSize · batchSize`, sort each longest first (stable, by `sortKeys`), and
 * replace each by its `split_to_even_chunks(..., worldSize)` chunks, concatenated. No longest-first
 * swap (LLaVA has none). `loadOf` is the length summed per chunk.
 */
export function groupShuffledIds(
  shuffledIds: Int32Array,
  sortKeys: ArrayLike<number>,
  loadOf: ArrayLike<number>,
  batchSize: number,
  worldSize: number,
): Int32Array {
  const megaBatches = cutMegaBatches(shuffledIds, worldSize * batchSize);
  sortEachMegaBatchDescending(megaBatches, sortKeys, new SegmentSorter());
  const out = new Int32Array(shuffledIds.length);
  const heap = new LightestChunkHeap();
  const { bounds } = megaBatches;
  for (let k = 0; k + 1 < bounds.length; k++) {
    splitToEvenChunks(megaBatches.ids, bounds[k]!, bounds[k + 1]!, loadOf, worldSize, out, heap);
  }
  return out;
}

/**
 * LLaVA's `get_length_grouped_indices(lengths, batch_size, world_size, generator)`: one
 * `randperm(n)` from `rng`, then {@link groupShuffledIds} on the RAW lengths (an all-text dataset,
 * negative, is therefore sorted shortest first, and its chunk loads are negative sums).
 */
export function llavaLengthGroupedIndices(lengths: Int32Array, batchSize: number, worldSize: number, rng: Mt19937): Int32Array {
  return groupShuffledIds(torchRandperm(lengths.length, rng), signedLengthKeys(lengths), lengths, batchSize, worldSize);
}

/**
 * LLaVA's global order for `epoch`. LLaVA's sampler has no set_epoch and reseeds nothing: every
 * epoch draws from the generator `torch.manual_seed(seed)` set up, continuing where the previous
 * epoch stopped. randperm(n) consumes exactly n − 1 draws, so epoch e starts e·(n − 1) draws in.
 */
export function llavaLengthGroupedOrder(lengths: Int32Array, spec: LlavaSpec, epoch: number): Int32Array {
  const rng = Mt19937.fromTorchSeed(spec.seed);
  rng.discard(epoch * Math.max(lengths.length - 1, 0));
  return llavaLengthGroupedIndices(lengths, spec.perDeviceBatchSize, llavaSamplerWorldSize(spec), rng);
}

/**
 * Deal a LLaVA global order to the ranks as Accelerate does (batch j of perDeviceBatchSize to rank
 * j mod W, the last round completed from the first batches) and wrap it as a plan.
 */
export function planFromLlavaOrder(strategyId: string, order: Int32Array, spec: LlavaSpec, epoch: number): EpochPlan {
  const layout = dealEvenBatches(order, spec.perDeviceBatchSize, spec.worldSize);
  return planFromLayout({ strategyId, epoch, worldSize: spec.worldSize, microBatchSize: spec.perDeviceBatchSize }, layout);
}

function planLlavaEpoch(lengths: Int32Array, spec: LlavaSpec, epoch: number): EpochPlan {
  validateLengths(lengths, { allowNegative: true });
  assertEpoch(epoch);
  return planFromLlavaOrder(llavaLengthGroupedStrategy.id, llavaLengthGroupedOrder(lengths, spec, epoch), spec, epoch);
}

/** LLaVA's LengthGroupedSampler without modality grouping, dealt to ranks as Accelerate does. */
export const llavaLengthGroupedStrategy: Strategy<LlavaSpec> = {
  id: 'llava-length-grouped@1',
  summary: "LLaVA's LengthGroupedSampler (group_by_modality=False), bit for bit, dealt to ranks like Accelerate.",
  specSchema: llavaSpecSchema,
  defaultLengthColumn: 'llava',
  usesModalitySign: true,
  validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: true }, field),
  planEpoch: planLlavaEpoch,
};
