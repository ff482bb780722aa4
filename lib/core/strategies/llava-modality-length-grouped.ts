import { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { absoluteLengths } from '../sort/segment-sorter.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { Strategy } from './strategy.js';
import { cutMegaBatches } from './blocks/mega-batches.js';
import { splitByModality, isSingleModality, takeIds, type ModalitySplit } from './blocks/modality-split.js';
import { mergeModalityTails } from './blocks/merge-modality-tails.js';
import { reorderMegaBatches, withTailKept } from './blocks/reorder-mega-batches.js';
import { assertEpoch } from './blocks/assert-epoch.js';
import {
  groupShuffledIds,
  llavaLengthGroupedIndices,
  llavaSamplerWorldSize,
  llavaSpecSchema,
  planFromLlavaOrder,
  type LlavaSpec,
} from './llava-length-grouped.js';

/**
 * The two generators LLaVA's `get_modality_length_grouped_indices` draws from: the per-modality
 * shuffles hard-code `generator=None` (torch's GLOBAL generator) while the mega-batch shuffle uses
 * the sampler's `self.generator`. Pass the same instance twice when both are the global one.
 */
export interface LlavaGenerators {
  readonly global: Mt19937;
  readonly sampler: Mt19937;
}

/**
 * LLaVA's `get_modality_length_grouped_indices(lengths, batch_size, world_size, generator)`
 * (HEAD c121f04, notes §4.3): the global order of one epoch.
 */
export function llavaModalityLengthGroupedIndices(lengths: Int32Array, batchSize: number, worldSize: number, generators: LlavaGenerators): Int32Array {
  const split = splitByModality(lengths);
  // Fix a546269 (#715): one modality only -> plain get_length_grouped_indices on the sampler generator.
  if (isSingleModality(split)) return llavaLengthGroupedIndices(lengths, batchSize, worldSize, generators.sampler);
  // Each modality is length-grouped on its own |lengths| from the GLOBAL generator, multimodal first.
  const absLengths = absoluteLengths(lengths);
  const groupModality = (ids: Int32Array): Int32Array =>
    groupShuffledIds(takeIds(ids, torchRandperm(ids.length, generators.global)), absLengths, absLengths, batchSize, worldSize);
  const multimodal = cutMegaBatches(groupModality(split.multimodalIds), worldSize * batchSize);
  const text = cutMegaBatches(groupModality(split.textIds), worldSize * batchSize);
  // `mm[:-1] + lang[:-1]` shuffled by the SAMPLER generator; the merged tails go last, sorted by
  // sample INDEX (plain `sorted(additional_batch)`), not by length.
  const merged = mergeModalityTails(multimodal, text);
  const order = torchRandperm(merged.fullCount, generators.sampler);
  const { ids, bounds } = reorderMegaBatches(merged.megaBatches, withTailKept(order, merged.fullCount + 1));
  ids.subarray(bounds[merged.fullCount]!).sort();
  return ids;
}

/** How many u32 draws one epoch takes from each generator (randperm(k) takes max(k − 1, 0)). */
export function llavaModalityDrawsPerEpoch(split: ModalitySplit, batchSize: number, worldSize: number): { readonly global: number; readonly sampler: number } {
  const draws = (k: number): number => Math.max(k - 1, 0);
  const mm = split.multimodalIds.length;
  const text = split.textIds.length;
  if (isSingleModality(split)) return { global: 0, sampler: draws(mm + text) };
  const megaBatchSize = worldSize * batchSize;
  const fullCount = Math.ceil(mm / megaBatchSize) - 1 + (Math.ceil(text / megaBatchSize) - 1);
  return { global: draws(mm) + draws(text), sampler: draws(fullCount) };
}

/**
 * LLaVA's modality-grouped global order for `epoch`.
 *
 * RNG hypothesis (checked against ../shared/golden/samplers/llava-modality.json): ALL draws come
 * from ONE generator, the one `torch.manual_seed(seed)` sets up — the sampler's `self.generator` is
 * None in LLaVA's trainer, so the mega-batch randperm also falls back to the global generator. The
 * alternative (mega-batch randperm from a separate generator seeded `seed`, as notes §9 T7 assumed)
 * does not reproduce the golden file.
 *
 * Epochs: LLaVA has no set_epoch and never reseeds, so epoch e continues the stream after the
 * draws epochs 0..e−1 consumed (a fixed count per epoch, skipped with `rng.discard`).
 */
export function llavaModalityLengthGroupedOrder(lengths: Int32Array, spec: LlavaSpec, epoch: number): Int32Array {
  const worldSize = llavaSamplerWorldSize(spec);
  const perEpoch = llavaModalityDrawsPerEpoch(splitByModality(lengths), spec.perDeviceBatchSize, worldSize);
  const rng = Mt19937.fromTorchSeed(spec.seed);
  rng.discard(epoch * (perEpoch.global + perEpoch.sampler));
  return llavaModalityLengthGroupedIndices(lengths, spec.perDeviceBatchSize, worldSize, { global: rng, sampler: rng });
}

function planLlavaModalityEpoch(lengths: Int32Array, spec: LlavaSpec, epoch: number): EpochPlan {
  validateLengths(lengths, { allowNegative: true });
  assertEpoch(epoch);
  const order = llavaModalityLengthGroupedOrder(lengths, spec, epoch);
  return planFromLlavaOrder(llavaModalityLengthGroupedStrategy.id, order, spec, epoch);
}

/** LLaVA's LengthGroupedSampler with group_by_modality=True (what LLaVA-1.5 trains with). */
export const llavaModalityLengthGroupedStrategy: Strategy<LlavaSpec> = {
  id: 'llava-modality-length-grouped@1',
  summary: "LLaVA's modality-grouped LengthGroupedSampler, bit for bit (one torch.manual_seed stream), dealt like Accelerate.",
  specSchema: llavaSpecSchema,
  defaultLengthColumn: 'llava',
  usesModalitySign: true,
  validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: true }, field),
  planEpoch: planLlavaModalityEpoch,
};
