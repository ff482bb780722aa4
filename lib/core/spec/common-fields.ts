import { z } from 'zod';
import { seedSchema } from './seed.js';
import { sourceWeightSchema } from '../mixture/source-weights.js';

/**
 * Which per-sample length a strategy groups by, i.e. which length-index column feeds it (all signed:
 * positive = with image(s), negative = text-only): `total` = text + image tokens (true cost),
 * `xtuner` = XTuner's (each image one token), `llava` = LLaVA's whitespace word count.
 */
export const lengthColumnSchema = z.enum(['total', 'xtuner', 'llava']);
export type LengthColumn = z.infer<typeof lengthColumnSchema>;

/** A positive integer field whose message says what to change. */
export function positiveInt(what: string) {
  return z
    .number({ error: `${what} must be an integer ≥ 1` })
    .int({ error: `${what} must be an integer ≥ 1` })
    .min(1, { error: `${what} must be ≥ 1` });
}

/** mega_batch_mult: an integer ≥ 1, or null/absent for the strategy's default rule. */
export const megaBatchMultSchema = positiveInt('megaBatchMult')
  .nullable()
  .default(null)
  .describe('Micro-step groups per mega-batch; null = the strategy default rule (min(n / (4·W·B), 50), at least 1).');

/**
 * Fields every shard spec has, whatever its strategy. Strategy schemas spread these and add
 * their own; each strategy schema is strict so a misplaced option is an error, not ignored.
 */
export const commonSpecFields = {
  strategy: z.string().describe('Strategy id, with or without its @version, e.g. "balanced" or "xtuner-length-grouped@1".'),
  seed: seedSchema.describe('The one seed shared by every rank, in [0, 2^64).'),
  epochs: positiveInt('epochs').default(1).describe('Number of epochs to plan.'),
  worldSize: positiveInt('worldSize').describe('Data-parallel ranks (GPUs).'),
  perDeviceBatchSize: positiveInt('perDeviceBatchSize').describe('Samples per rank per micro-step.'),
  gradientAccumulation: positiveInt('gradientAccumulation').default(1).describe('Micro-steps per optimizer step; never folded into worldSize.'),
  lengthColumn: lengthColumnSchema.optional().describe('Length-index column to group by; default per strategy.'),
  mixture: z
    .record(z.string().min(1), sourceWeightSchema)
    .optional()
    .describe('Per-source weights by source name (repeat, samples or proportion); absent = every sample once per epoch.'),
};
