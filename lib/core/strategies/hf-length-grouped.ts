import { z } from 'zod';
import type { Mt19937 } from '../rng/mt19937.js';
import { torchRandperm } from '../rng/randperm.js';
import { SegmentSorter } from '../sort/segment-sorter.js';
import { InvalidInputError } from '../errors.js';
import { commonSpecFields, megaBatchMultSchema } from '../spec/common-fields.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { Strategy } from './strategy.js';
import { cutMegaBatches, sortEachMegaBatchDescending } from './blocks/mega-batches.js';
import { swapLongestHeadFirst } from './blocks/longest-first-swap.js';
import { defaultMegaBatchMult } from './blocks/default-mega-batch-mult.js';
import { epochGenerator } from './blocks/epoch-generator.js';
import { torchDistributedSizes } from './blocks/distributed-sizes.js';
import { padCyclic, type PaddedOrder } from './blocks/cyclic-pad.js';
import { dropTail } from './blocks/drop-tail.js';
import { strideToRanks } from './blocks/strided-ranks.js';
import { planFromLayout } from './blocks/rank-layout.js';
import { assertEpoch } from './blocks/assert-epoch.js';

/**
 * HF transformers' `DistributedLengthGroupedSampler` (`src/transformers/trainer_pt_utils.py`,
 * notes §3.1 and §3.3), which groups by one positive length per sample.
 */
const hfSpecSchema = z
  .object({
    ...commonSpecFields,
    megaBatchMult: megaBatchMultSchema,
    dropLast: z.boolean().default(false).describe('Drop the tail so n divides by worldSize, instead of repeating samples from the start.'),
  })
  .strict();

/** A validated `hf-length-grouped` spec. */
export type HfLengthGroupedSpec = z.infer<typeof hfSpecSchema>;

/**
 * HF's `get_length_grouped_indices(lengths, batch_size, mega_batch_mult, generator)`: one
 * `randperm(n)`, mega-batches of `mult · batch_size` each stably sorted longest first, then the
 * longest head swapped to the front "so that an OOM happens sooner rather than later".
 * `megaBatchMult` null means HF's default `min(n // (4 · batch_size), 50)` (at least 1).
 */
export function hfLengthGroupedIndices(lengths: Int32Array, batchSize: number, megaBatchMult: number | null, rng: Mt19937): Int32Array {
  const mult = megaBatchMult ?? defaultMegaBatchMult(lengths.length, batchSize);
  const megaBatches = cutMegaBatches(torchRandperm(lengths.length, rng), mult * batchSize);
  sortEachMegaBatchDescending(megaBatches, lengths, new SegmentSorter());
  swapLongestHeadFirst(megaBatches, lengths);
  return megaBatches.ids;
}

function planHfEpoch(lengths: Int32Array, spec: HfLengthGroupedSpec, epoch: number): EpochPlan {
  validateLengths(lengths, { allowNegative: false });
  assertEpoch(epoch);
  const n = lengths.length;
  const { totalSize } = torchDistributedSizes(n, spec.worldSize, spec.dropLast);
  // The Trainer passes batch_size = train_batch_size × gradient_accumulation_steps.
  const batchSize = spec.perDeviceBatchSize * spec.gradientAccumulation;
  const order = hfLengthGroupedIndices(lengths, batchSize, spec.megaBatchMult, epochGenerator(spec.seed, epoch));
  const { kept, droppedIds } = spec.dropLast ? dropTail(order, totalSize) : { kept: padOnce(order, totalSize, spec.worldSize), droppedIds: new Int32Array(0) };
  const layout = strideToRanks(kept, spec.worldSize);
  return planFromLayout(
    { strategyId: hfLengthGroupedStrategy.id, epoch, worldSize: spec.worldSize, microBatchSize: spec.perDeviceBatchSize },
    layout,
    droppedIds,
  );
}

/**
 * HF pads ONCE (`idx += idx[:total - n]`) and then asserts the size, so when the padding needs
 * more than n entries (n < total − n) the upstream sampler fails: we refuse too, naming the fix.
 */
function padOnce(order: Int32Array, totalSize: number, worldSize: number): PaddedOrder {
  if (totalSize - order.length > order.length) {
    throw new InvalidInputError(
      'spec.worldSize',
      `${worldSize} ranks need ${totalSize} entries but HF pads ${order.length} samples only once; use fewer ranks or torch-distributed`,
    );
  }
  return padCyclic(order, totalSize);
}

/** HF's DistributedLengthGroupedSampler: seed+epoch, length-sorted mega-batches, longest first. */
export const hfLengthGroupedStrategy: Strategy<HfLengthGroupedSpec> = {
  id: 'hf-length-grouped@1',
  summary: "HF transformers' DistributedLengthGroupedSampler, bit for bit (sorted mega-batches, longest first, indices[rank::W]).",
  specSchema: hfSpecSchema,
  defaultLengthColumn: 'total',
  usesModalitySign: false,
  validateLengths: (lengths, field) => validateLengths(lengths, { allowNegative: false }, field),
  planEpoch: planHfEpoch,
};
