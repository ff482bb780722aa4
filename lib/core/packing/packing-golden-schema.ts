import { z } from 'zod';
import { positiveInt } from '../spec/common-fields.js';
import { seedSchema } from '../spec/seed.js';

/**
 * The inputs of an XTuner V1 packing or pack-sampler golden file (../shared/golden/packing/),
 * named as upstream, defaults as upstream's constructors (README section F). Only inputs are
 * declared: expected outputs, notes and observations are stripped, so a replay cannot echo them.
 */

const count = (what: string) =>
  z
    .number({ error: `${what} must be an integer ≥ 0` })
    .int({ error: `${what} must be an integer ≥ 0` })
    .min(0, { error: `${what} must be ≥ 0` });
// JsonlDataset drops 0-token samples before packing, so a packer never sees one.
const tokenCounts = z.array(positiveInt('num_tokens[i]'), { error: 'num_tokens must be an array of integers ≥ 1' });

/** The header that decides which schema applies. */
export const goldenHeaderSchema = z.object({
  kind: z.enum(['packing', 'sampler'], { error: 'kind must be "packing" or "sampler" (argsort files are test data only)' }),
  anchor: z.object({ entry: z.string() }, { error: 'anchor.entry must name the XTuner class that was run' }),
});

/** `ExpandSoftPackDataset(...)` plus the tokenize function's flops weights. */
export const softPackFileSchema = z.object({
  params: z
    .object({
      pack_max_length: positiveInt('pack_max_length').default(2048),
      global_pack: z.boolean().default(false),
      pack_extra_buffer_size: count('pack_extra_buffer_size').default(1000),
      pack_chunk_size: positiveInt('pack_chunk_size').default(10000),
      pack_workers: count('pack_workers').default(8),
      seed: seedSchema,
      llm_pack_weight: z.number().default(1),
      visual_pack_weight: z.number().default(0),
      flash_attn_block_size: positiveInt('flash_attn_block_size').default(128),
      dataset_sizes: z.array(count('dataset_sizes[i]')).optional(),
    })
    .strict(),
  num_tokens: tokenCounts,
  num_img_tokens: z.array(z.array(count('num_img_tokens[i][j]'))).optional(),
  proxy_attn_flops: z.array(z.number()).optional(),
});

/** `HardPackDataset(...)`. */
export const hardPackFileSchema = z.object({
  params: z
    .object({
      pack_max_length: positiveInt('pack_max_length').default(2048),
      global_pack: z.boolean().default(false),
      seed: seedSchema,
      pack_workers: count('pack_workers').default(1),
      pack_chunk_size: positiveInt('pack_chunk_size').default(10000),
      dataset_sizes: z.array(count('dataset_sizes[i]')).optional(),
    })
    .strict(),
  num_tokens: tokenCounts,
});

/** `LengthGroupedSampler(...)` over a pack list's `longest` keys. */
export const packSamplerFileSchema = z.object({
  params: z
    .object({
      world_size: positiveInt('world_size'),
      global_batch_size: positiveInt('global_batch_size'),
      seed: seedSchema,
      epoch: count('epoch').default(0),
      round_up: z.boolean().default(true),
      step: count('step').default(0),
      // Sizes the generator derived; ours are recomputed (the golden tests compare them).
      derived: z.record(z.string(), z.number()).optional(),
    })
    .strict(),
  max_lengths: z.array(z.number().int({ error: 'max_lengths[i] must be an integer' })).min(1, { error: 'max_lengths must list at least one pack' }),
});

/** A validated soft-packing golden input. */
export type SoftPackFile = z.output<typeof softPackFileSchema>;
/** A validated hard-packing golden input. */
export type HardPackFile = z.output<typeof hardPackFileSchema>;
/** A validated pack-sampler golden input. */
export type PackSamplerFile = z.output<typeof packSamplerFileSchema>;
