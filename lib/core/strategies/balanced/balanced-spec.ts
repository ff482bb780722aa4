import { z } from 'zod';
import { commonSpecFields, megaBatchMultSchema } from '../../spec/common-fields.js';

/** What to do with the samples that do not fill a last whole optimizer step of every rank. */
export const remainderPolicySchema = z
  .enum(['pad', 'drop'])
  .describe(
    '"pad": repeat randomly chosen samples, flagged as padding in the plan; "drop": leave randomly chosen samples out of this epoch, listed in the plan.',
  );

/** Spec of the `balanced` strategy (strict: unknown fields are errors). */
export const balancedSpecSchema = z
  .object({
    ...commonSpecFields,
    megaBatchMult: megaBatchMultSchema,
    groupByModality: z.boolean().default(true).describe('Keep image–text and text-only samples in separate micro-steps (one mixed step at most).'),
    remainder: remainderPolicySchema.default('pad'),
  })
  .strict();

/** A validated balanced spec. */
export type BalancedSpec = z.output<typeof balancedSpecSchema>;
