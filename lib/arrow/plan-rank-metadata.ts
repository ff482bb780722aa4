/**
 * Schema metadata of a plan-rank file, versions 1 and 2 (layout in plan-rank-file.ts). Version 1
 * files are read as the `fixed` layout they always were; version 2 adds the layout, the step count
 * and, for packed plans, the token budget.
 */
import { z } from 'zod';
import { metadataDecimal, missingOr } from './ipc-read.js';

/** `megashard.kind` of a plan-rank file. */
export const PLAN_RANK_KIND = 'plan-rank';
/** `megashard.format_version` written; any change in columns or semantics bumps it. */
export const PLAN_RANK_FORMAT_VERSION = '2';
/** Every version this megashard reads. */
export const PLAN_RANK_READABLE_VERSIONS = ['1', '2'] as const;

/**
 * How a rank's rows form steps: `fixed` = `micro_batch_size` samples per step, one sequence each
 * (the last step may be short); `packed` = whole packs per step, a variable number of rows.
 */
export type PlanRankLayout = 'fixed' | 'packed';

const decimal = metadataDecimal;

export const planRankMetadataSchema = z
  .object({
    'megashard.kind': z.literal(PLAN_RANK_KIND, { error: missingOr(`must be "${PLAN_RANK_KIND}" (is this a plan-rank file?)`) }),
    'megashard.format_version': z.enum(PLAN_RANK_READABLE_VERSIONS, {
      error: missingOr(`must be "1" or "2"; the file was written by another format version: re-plan with this megashard`),
    }),
    'megashard.run_fingerprint': z.string({ error: missingOr('must be a string') }).min(1, { error: 'is empty' }),
    'megashard.strategy_id': z.string({ error: missingOr('must be a string') }).min(1, { error: 'is empty' }),
    'megashard.epoch': decimal(0),
    'megashard.rank': decimal(0),
    'megashard.world_size': decimal(1),
    'megashard.micro_batch_size': decimal(1),
    'megashard.gradient_accumulation': decimal(1),
    'megashard.first_step': decimal(0),
    'megashard.layout': z.enum(['fixed', 'packed'], { error: missingOr('must be "fixed" or "packed"') }).optional(),
    'megashard.step_count': decimal(0).optional(),
    'megashard.max_tokens': decimal(1).optional(),
  })
  .refine((m) => m['megashard.rank'] < m['megashard.world_size'], { error: 'must be below megashard.world_size', path: ['megashard.rank'] })
  .superRefine((m, ctx) => {
    if (m['megashard.format_version'] === '1') return;
    for (const key of ['megashard.layout', 'megashard.step_count'] as const) {
      if (m[key] === undefined) ctx.addIssue({ code: 'custom', message: 'is missing (required from format_version 2)', path: [key] });
    }
    const packed = m['megashard.layout'] === 'packed';
    if (packed !== (m['megashard.max_tokens'] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: packed ? 'is missing (required by layout "packed")' : 'is set but layout is not "packed"',
        path: ['megashard.max_tokens'],
      });
    }
  })
  .transform((m) => ({
    kind: m['megashard.kind'],
    formatVersion: m['megashard.format_version'],
    planFingerprint: m['megashard.run_fingerprint'],
    strategyId: m['megashard.strategy_id'],
    epoch: m['megashard.epoch'],
    rank: m['megashard.rank'],
    worldSize: m['megashard.world_size'],
    microBatchSize: m['megashard.micro_batch_size'],
    gradientAccumulation: m['megashard.gradient_accumulation'],
    firstStep: m['megashard.first_step'],
    layout: (m['megashard.layout'] ?? 'fixed') as PlanRankLayout,
    /** Steps in the file; version 1 files leave it to the reader (derived from the rows). */
    stepCount: m['megashard.step_count'] ?? null,
    /** Token budget of a pack (packed layout), else null. */
    maxTokens: m['megashard.max_tokens'] ?? null,
  }));

/** Validated schema metadata of a plan-rank file. */
export type PlanRankMetadata = z.output<typeof planRankMetadataSchema>;
