/**
 * The `tuning` block of dataset.json: every budget that shapes how the pipeline splits its work —
 * never what it writes (the shards, manifests and report are the same bytes for any tuning). Each
 * defaults to what a production run wants; a small run can shrink them to be shaped like a big
 * one (many chunks, sections and calls), which is what `megashard bench scale` does. Flags of
 * `megashard run` override the file's values.
 */
import { z } from 'zod';
import { positiveInt } from '../spec/common-fields.js';

/** Defaults of every budget (the values a run uses when dataset.json says nothing). */
export const TUNING_DEFAULTS = {
  /** Tokens one Assemble call (and one audit partial) holds: ids + labels at 8 bytes each = 256 MiB. */
  assembleTokensPerCall: 1 << 25,
  /** Most ranks one Assemble call writes: 1,024 ranks make at least 16 calls an epoch. */
  assembleRanksPerCall: 64,
  /** Bytes of source one HashSources call reads: the source identity is hashed in blocks of this size. */
  hashBytesPerCall: 256 * 1024 * 1024,
  /** Images one ListImages call lists (a LIST request per 1,000): a million is ≈ 1,000 requests, well inside a call's time. */
  imagesPerListCall: 1_000_000,
  /** Images one ListImages call reads the header of (a ranged GET each) when the check reads headers: ≈ 1 minute at 16 in flight. */
  imagesPerHeaderCall: 20_000,
} as const;

/** The block as written in dataset.json: every field optional, unknown fields refused. */
export const tuningSchema = z
  .object({
    assembleTokensPerCall: positiveInt('tuning.assembleTokensPerCall')
      .optional()
      .describe('Tokens one Assemble call holds (default 2^25 = 256 MiB of ids + labels).'),
    assembleRanksPerCall: positiveInt('tuning.assembleRanksPerCall').optional().describe('Most ranks one Assemble call writes (default 64).'),
    hashBytesPerCall: positiveInt('tuning.hashBytesPerCall')
      .optional()
      .describe("Source bytes one HashSources call reads; also the block size of a large source's identity (default 256 MiB)."),
    imagesPerListCall: positiveInt('tuning.imagesPerListCall')
      .optional()
      .describe('Images one ListImages call lists; a larger folder is listed by successive calls, one table page each (default 1,000,000).'),
    imagesPerHeaderCall: positiveInt('tuning.imagesPerHeaderCall')
      .optional()
      .describe('Images one ListImages call lists and reads the header of, when the image check reads headers (default 20,000).'),
  })
  .strict()
  .describe('Budgets that shape how the work is split (never what is written); see docs/scale.md.');

/** The block as given (fields absent when not set). */
export type Tuning = z.infer<typeof tuningSchema>;
/** Every budget resolved. */
export type ResolvedTuning = { readonly [K in keyof typeof TUNING_DEFAULTS]: number };

/** Every budget: the block's values over the defaults. */
export function resolveTuning(tuning: Tuning | undefined): ResolvedTuning {
  return { ...TUNING_DEFAULTS, ...Object.fromEntries(Object.entries(tuning ?? {}).filter(([, value]) => value !== undefined)) };
}
