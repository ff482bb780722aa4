import { z } from 'zod';
import { torchRandperm } from '../rng/randperm.js';
import { validateNonEmpty } from '../plan/validate-lengths.js';
import { commonSpecFields } from '../spec/common-fields.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { Strategy } from './strategy.js';
import { epochGenerator } from './blocks/epoch-generator.js';
import { torchDistributedSizes } from './blocks/distributed-sizes.js';
import { padCyclic } from './blocks/cyclic-pad.js';
import { dropTail } from './blocks/drop-tail.js';
import { strideToRanks } from './blocks/strided-ranks.js';
import { planFromLayout } from './blocks/rank-layout.js';
import { assertEpoch } from './blocks/assert-epoch.js';

/**
 * `torch.utils.data.DistributedSampler` (pytorch `torch/utils/data/distributed.py`, notes §1.4):
 * the baseline every other strategy is compared with. It ignores lengths.
 */
const torchDistributedSpecSchema = z
  .object({
    ...commonSpecFields,
    shuffle: z.boolean().default(true).describe('Shuffle with randperm(n) from a generator seeded seed + epoch.'),
    dropLast: z.boolean().default(false).describe('Drop the tail so n divides by worldSize, instead of repeating samples from the start.'),
  })
  .strict();

/** A validated `torch-distributed` spec. */
export type TorchDistributedSpec = z.infer<typeof torchDistributedSpecSchema>;

/** `__iter__`'s global list before the rank split: randperm(n) (or 0..n−1) from a fresh seed+epoch generator. */
export function torchDistributedOrder(sampleCount: number, spec: TorchDistributedSpec, epoch: number): Int32Array {
  if (spec.shuffle) return torchRandperm(sampleCount, epochGenerator(spec.seed, epoch));
  const order = new Int32Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) order[i] = i;
  return order;
}

function planTorchEpoch(lengths: Int32Array, spec: TorchDistributedSpec, epoch: number): EpochPlan {
  validateNonEmpty(lengths);
  assertEpoch(epoch);
  const n = lengths.length;
  const { totalSize } = torchDistributedSizes(n, spec.worldSize, spec.dropLast);
  const order = torchDistributedOrder(n, spec, epoch);
  // Not drop_last: pad by repeating from the start (the repeat branch covers pad > n, i.e. n < W).
  const { kept, droppedIds } = spec.dropLast ? dropTail(order, totalSize) : { kept: padCyclic(order, totalSize), droppedIds: new Int32Array(0) };
  const layout = strideToRanks(kept, spec.worldSize);
  return planFromLayout(
    { strategyId: torchDistributedStrategy.id, epoch, worldSize: spec.worldSize, microBatchSize: spec.perDeviceBatchSize },
    layout,
    droppedIds,
  );
}

/** torch's DistributedSampler: seed+epoch randperm, cyclic pad or drop_last, interleaved rank split. */
export const torchDistributedStrategy: Strategy<TorchDistributedSpec> = {
  id: 'torch-distributed@1',
  summary: "PyTorch's DistributedSampler, bit for bit (randperm seeded seed+epoch, pad or drop_last, indices[rank::W]).",
  specSchema: torchDistributedSpecSchema,
  defaultLengthColumn: 'total',
  usesModalitySign: false,
  validateLengths: validateNonEmpty,
  planEpoch: planTorchEpoch,
};
