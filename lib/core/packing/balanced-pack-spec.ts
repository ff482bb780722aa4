import { z } from 'zod';
import { seedSchema } from '../spec/seed.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';

/** Largest pack budget: offsets and per-size buckets stay small typed arrays below it. */
export const MAX_PACK_TOKENS = 1 << 24;

/**
 * Default linear weight of the attention-cost model: 12 · d for a d = 4,096 model (7B class).
 * Per layer and token, a dense transformer spends ~24·d² FLOPs in its projections and MLP, and
 * causal varlen attention over a sample of length L ~2·d·L: cost ∝ L² + 12·d·L per sample.
 */
export const DEFAULT_COST_LINEAR_WEIGHT = 12 * 4096;

const positive = (max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: 'must be an integer ≥ 1' })
    .int({ error: 'must be an integer ≥ 1' })
    .min(1, { error: 'must be ≥ 1' })
    .max(max, { error: `must be ≤ ${max}` });

/** What to do with a sample that cannot share a pack: over the token budget or the image cap. */
export const overLengthPolicySchema = z
  .enum(['own-pack', 'reject'])
  .describe('"own-pack": the sample is a pack alone (the one declared exception to the budget); "reject": it is left out, listed with its reason.');

/** Spec of `balanced-pack@1` (strict: unknown fields are errors). */
export const balancedPackSpecSchema = z
  .object({
    maxTokens: positive(MAX_PACK_TOKENS).describe('Token budget of a pack, image tokens included.'),
    maxImagesPerPack: positive().nullable().default(null).describe('Cap on images per pack; null = no cap.'),
    overLength: overLengthPolicySchema.default('own-pack'),
    worldSize: positive().describe('Data-parallel ranks; every step has one pack per rank.'),
    seed: seedSchema.describe('The one seed shared by every rank, in [0, 2^64).'),
    megaBatchSamples: positive().default(65536).describe('Samples packed together; each epoch draws new mega-batches.'),
    costLinearWeight: z
      .number({ error: 'must be a number ≥ 0' })
      .min(0, { error: 'must be ≥ 0' })
      .default(DEFAULT_COST_LINEAR_WEIGHT)
      .describe('c in the per-sample cost L² + c·L that balances ranks; 12·hidden size; 0 = attention only.'),
  })
  .strict();

/** A validated balanced-pack spec. */
export type BalancedPackSpec = z.output<typeof balancedPackSpecSchema>;

/** Validate a spec; errors are InvalidInputError naming the field, e.g. `packing.maxTokens: must be ≥ 1`. */
export function parseBalancedPackSpec(input: unknown, where = 'packing'): BalancedPackSpec {
  const parsed = balancedPackSpecSchema.safeParse(input);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  return parsed.data;
}
