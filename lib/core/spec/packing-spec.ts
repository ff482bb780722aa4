import { z } from 'zod';
import { DEFAULT_COST_LINEAR_WEIGHT, MAX_PACK_TOKENS, overLengthPolicySchema } from '../packing/balanced-pack-spec.js';
import { commonSpecFields, positiveInt } from './common-fields.js';

/**
 * The `packing` block of a shard spec and the packed shard spec around it. With `packing` a
 * rank's step is one pack of whole samples (images never split) of at most `maxTokens` tokens,
 * image tokens counted; `packing.strategy` picks the packer, balanced-pack@1 by default.
 */

const maxTokensField = positiveInt('maxTokens')
  .max(MAX_PACK_TOKENS, { error: `maxTokens must be ≤ ${MAX_PACK_TOKENS}` })
  .describe('Token budget of a pack, image tokens included (length-index column total_tokens).');

/** `packing` for balanced-pack@1 (strict). */
export const balancedPackBlockSchema = z
  .object({
    strategy: z.string().describe('Packing strategy id, with or without @version: balanced-pack (default) or xtuner-v1-soft-pack.'),
    maxTokens: maxTokensField,
    maxImagesPerPack: positiveInt('maxImagesPerPack').nullable().default(null).describe('Cap on images per pack; null = no cap.'),
    overLength: overLengthPolicySchema.default('own-pack'),
    megaBatchSamples: positiveInt('megaBatchSamples').default(65536).describe('Samples packed together; each epoch draws new mega-batches.'),
    costLinearWeight: z
      .number({ error: 'costLinearWeight must be a number ≥ 0' })
      .min(0, { error: 'costLinearWeight must be ≥ 0' })
      .default(DEFAULT_COST_LINEAR_WEIGHT)
      .describe('c in the per-sample cost L² + c·L that balances ranks: 12 × hidden size (default 12 × 4096); 0 = attention only.'),
  })
  .strict();

/** `packing` for xtuner-v1-soft-pack@1: XTuner V1's ExpandSoftPackDataset + pack-level LengthGroupedSampler (strict). */
export const xtunerSoftPackBlockSchema = z
  .object({
    strategy: z.string().describe('Packing strategy id: xtuner-v1-soft-pack (XTuner V1 parity).'),
    maxTokens: maxTokensField.describe("XTuner's pack_max_length, image tokens included."),
    maxImagesPerPack: z.null({ error: 'XTuner V1 has no image cap: omit maxImagesPerPack, or use packing.strategy "balanced-pack"' }).default(null),
    overLength: z
      .literal('own-pack', { error: 'XTuner V1 keeps every over-length sample as a pack of its own: omit overLength, or use packing.strategy "balanced-pack"' })
      .default('own-pack'),
    extraBufferSize: z.number().int().min(0).default(100).describe('pack_extra_buffer_size (DataloaderConfig default 100).'),
    chunkSize: positiveInt('chunkSize').default(10000).describe('pack_chunk_size (default 10000).'),
    globalBatchSize: positiveInt('globalBatchSize')
      .nullable()
      .default(null)
      .describe("The sampler's global_batch_size in packs, a multiple of worldSize; null = worldSize (micro-batch 1)."),
    roundUp: z.boolean().default(true).describe("The sampler's round_up: repeat packs so every rank has the same count (else cut)."),
  })
  .strict();

/** The fields of a packed shard spec besides its block: the common ones, one pack per rank per step. */
const packedCommonFields = {
  ...commonSpecFields,
  perDeviceBatchSize: z
    .literal(1, { error: 'with packing a rank takes one pack per step (packing.maxTokens sets its size): omit perDeviceBatchSize or set 1' })
    .default(1)
    .describe('Packs per rank per step: always 1 with packing.'),
  lengthColumn: z
    .literal('total', { error: 'packing counts every token, image tokens included: omit lengthColumn or set "total"' })
    .optional()
    .describe('Packing always uses total_tokens.'),
};

/** A packed shard spec for one packing block schema (strict). */
export function packedShardSpecSchema<B extends z.ZodType>(block: B) {
  return z.object({ ...packedCommonFields, packing: block }).strict();
}

/** A resolved balanced-pack shard spec. */
export type BalancedPackShardSpec = z.output<ReturnType<typeof packedShardSpecSchema<typeof balancedPackBlockSchema>>>;
/** A resolved xtuner-v1-soft-pack shard spec. */
export type XtunerSoftPackShardSpec = z.output<ReturnType<typeof packedShardSpecSchema<typeof xtunerSoftPackBlockSchema>>>;
/** The block every packed spec has, whatever its packer. */
export interface PackingBlock {
  readonly strategy: string;
  readonly maxTokens: number;
  readonly maxImagesPerPack: number | null;
  readonly overLength: 'own-pack' | 'reject';
}
