import { packedShardSpecSchema, balancedPackBlockSchema, type BalancedPackShardSpec } from '../spec/packing-spec.js';
import type { PackingStrategy } from './packing-strategy.js';
import { BALANCED_PACK_ID, planBalancedPack } from './plan-balanced-pack.js';

/** balanced-pack@1 as a registered packing strategy: the spec's block plus its world size and seed. */
export const balancedPackStrategy: PackingStrategy<BalancedPackShardSpec> = {
  id: BALANCED_PACK_ID,
  summary:
    'Packs filled close to maxTokens (bin completion in seeded mega-batches), steps balanced by attention cost across ranks, costliest step first (default).',
  specSchema: packedShardSpecSchema(balancedPackBlockSchema),
  planPackedEpoch: (input, spec, epoch) => {
    const { strategy: _id, ...block } = spec.packing;
    return planBalancedPack(input.totalTokens, input.numImages, { ...block, worldSize: spec.worldSize, seed: spec.seed }, epoch);
  },
};
