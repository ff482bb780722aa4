import { z } from 'zod';
import { positiveInt } from '../spec/common-fields.js';
import { seedSchema } from '../spec/seed.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { lengthsFromNumbers } from '../plan/validate-lengths.js';
import { rankSampleIds } from '../plan/epoch-plan.js';
import { xtunerLengthGroupedStrategy, type XtunerLengthGroupedSpec } from '../strategies/xtuner-length-grouped.js';
import { llavaLengthGroupedOrder, llavaLengthGroupedStrategy, llavaSpecSchema, type LlavaSpec } from '../strategies/llava-length-grouped.js';
import { llavaModalityLengthGroupedOrder, llavaModalityLengthGroupedStrategy } from '../strategies/llava-modality-length-grouped.js';

/**
 * Replay an upstream sampler from the inputs of a golden file (../shared/golden/samplers/*.json):
 * `anchor`, `params`, `lengths`. The expected outputs (`ranks`, `order`) are never read, so a
 * replay cannot echo them back. Shared by `megashard sampler-replay` and the golden tests.
 */

const XTUNER_ANCHOR = 'xtuner.LengthGroupedSampler';
const LLAVA_ANCHOR = 'llava.LengthGroupedSampler';

/** XTuner `LengthGroupedSampler` arguments, named as upstream; defaults are upstream's. */
const xtunerParamsSchema = z
  .object({
    world_size: positiveInt('world_size'),
    per_device_batch_size: positiveInt('per_device_batch_size'),
    mega_batch_mult: positiveInt('mega_batch_mult').nullable().default(null),
    seed: seedSchema,
    epoch: z.number().int().min(0, { error: 'epoch must be an integer ≥ 0' }).default(0),
    round_up: z.boolean().default(true),
  })
  .strict();

/** LLaVA `LengthGroupedSampler` arguments; `world_size` is LLaVA's (world size × gradient accumulation). */
const llavaParamsSchema = z
  .object({
    world_size: positiveInt('world_size'),
    per_device_batch_size: positiveInt('per_device_batch_size'),
    global_seed: seedSchema,
    group_by_modality: z.boolean().default(false),
  })
  .strict();

const lengthsSchema = z.array(z.unknown(), { error: 'lengths must be an array of integers' });

/** The golden-file fields a replay reads; everything else (expected outputs, notes) is ignored. */
const goldenInputSchema = z.discriminatedUnion(
  'anchor',
  [
    z.object({ anchor: z.literal(XTUNER_ANCHOR), params: xtunerParamsSchema, lengths: lengthsSchema }),
    z.object({ anchor: z.literal(LLAVA_ANCHOR), params: llavaParamsSchema, lengths: lengthsSchema }),
  ],
  { error: `anchor must be "${XTUNER_ANCHOR}" or "${LLAVA_ANCHOR}"` },
);

/** A validated golden input. */
export type GoldenInput = z.infer<typeof goldenInputSchema>;

/** What a replay prints: every rank's list (XTuner) or the one global order (LLaVA). */
export type GoldenReplay = { readonly ranks: number[][] } | { readonly order: number[] };

/** Validate untrusted golden-file JSON; errors name the field, prefixed by `where` (e.g. the file). */
export function parseGoldenInput(input: unknown, where = 'golden'): GoldenInput {
  const parsed = goldenInputSchema.safeParse(input);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  return parsed.data;
}

/** Our xtuner-length-grouped spec for XTuner's sampler arguments (gradient accumulation folded in as 1). */
export function xtunerSpecFromParams(params: Extract<GoldenInput, { anchor: typeof XTUNER_ANCHOR }>['params']): XtunerLengthGroupedSpec {
  return xtunerLengthGroupedStrategy.specSchema.parse({
    strategy: xtunerLengthGroupedStrategy.id,
    seed: params.seed,
    worldSize: params.world_size,
    perDeviceBatchSize: params.per_device_batch_size,
    gradientAccumulation: 1,
    megaBatchMult: params.mega_batch_mult,
    roundUp: params.round_up,
  });
}

/** Our LLaVA spec for LLaVA's sampler arguments: its world_size already includes accumulation. */
export function llavaSpecFromParams(params: Extract<GoldenInput, { anchor: typeof LLAVA_ANCHOR }>['params']): LlavaSpec {
  return llavaSpecSchema.parse({
    strategy: params.group_by_modality ? 'llava-modality-length-grouped@1' : 'llava-length-grouped@1',
    seed: params.global_seed,
    worldSize: params.world_size,
    perDeviceBatchSize: params.per_device_batch_size,
    gradientAccumulation: 1,
  });
}

/** Run the anchored sampler on a validated golden input. */
export function replayGoldenInput(input: GoldenInput, where = 'golden'): GoldenReplay {
  const lengths = lengthsFromNumbers(input.lengths, `${where}.lengths`);
  if (input.anchor === XTUNER_ANCHOR) {
    const spec = xtunerSpecFromParams(input.params);
    xtunerLengthGroupedStrategy.validateLengths(lengths, `${where}.lengths`);
    const plan = xtunerLengthGroupedStrategy.planEpoch(lengths, spec, input.params.epoch);
    const ranks: number[][] = [];
    for (let r = 0; r < plan.worldSize; r++) ranks.push(Array.from(rankSampleIds(plan, r)));
    return { ranks };
  }
  const spec = llavaSpecFromParams(input.params);
  const strategy = input.params.group_by_modality ? llavaModalityLengthGroupedStrategy : llavaLengthGroupedStrategy;
  strategy.validateLengths(lengths, `${where}.lengths`);
  // LLaVA's sampler yields one global order per epoch; the golden files hold epoch 0.
  const order = input.params.group_by_modality ? llavaModalityLengthGroupedOrder(lengths, spec, 0) : llavaLengthGroupedOrder(lengths, spec, 0);
  return { order: Array.from(order) };
}

/** Validate and replay untrusted golden-file JSON in one call. */
export function replayGolden(input: unknown, where = 'golden'): GoldenReplay {
  return replayGoldenInput(parseGoldenInput(input, where), where);
}
