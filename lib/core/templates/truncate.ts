/**
 * What to do with a sample longer than `maxLength`, and the upstream hard truncation.
 *
 * `truncate` (default) is XTuner `encode_fn`'s `input_ids[:max_length]`, `labels[:max_length]`
 * and LLaVA's collator `input_ids[:, :model_max_length]`: lengths count ids, an image is ONE
 * sentinel, and the cut may fall anywhere — in the answer, before the EOS — without dropping the
 * sample. `split` applies to documents only (split-document.ts): `maxLength` then counts EFFECTIVE
 * tokens (each image as its expanded token count) and a document becomes several samples;
 * conversations are still truncated.
 */
import { z } from 'zod';

/** The overflow config, one schema for every boundary that accepts it. */
export const overflowConfigSchema = z
  .object({
    /** Longest sample kept whole (ids; effective tokens for documents in `split` mode). */
    maxLength: z.number().int().min(2).optional(),
    overflow: z.enum(['truncate', 'split']).default('truncate'),
  })
  .strict()
  .refine((config) => config.overflow !== 'split' || config.maxLength !== undefined, {
    message: "overflow 'split' needs maxLength; set maxLength or use overflow 'truncate'",
    path: ['maxLength'],
  });

/** A validated overflow config. */
export type OverflowConfig = z.infer<typeof overflowConfigSchema>;

/** A sample after truncation: views of the input, and whether anything was cut. */
export interface TruncatedSample {
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  readonly truncated: boolean;
}

/** Hard-truncate ids and labels at `maxLength` (no limit when undefined). Returns views. */
export function truncateSample(inputIds: Int32Array, labels: Int32Array, maxLength: number | undefined): TruncatedSample {
  if (maxLength === undefined || inputIds.length <= maxLength) return { inputIds, labels, truncated: false };
  return { inputIds: inputIds.subarray(0, maxLength), labels: labels.subarray(0, maxLength), truncated: true };
}
