/**
 * Template names users write in configs, their schema, and the Templates they resolve to.
 *
 * | name             | upstream                                      | id                        |
 * |------------------|-----------------------------------------------|---------------------------|
 * | `plain`          | LLaVA `conv_llava_plain` + `preprocess_plain` | `llava-plain@1`           |
 * | `vicuna_v1`      | LLaVA `conv_vicuna_v1` + `preprocess_v1`      | `llava-vicuna-v1@1`       |
 * |   + `legacy: false` | (transformers 4.31 non-legacy LlamaTokenizer) | `llava-vicuna-v1-nonlegacy@1` |
 * | `xtuner_vicuna`  | XTuner `PROMPT_TEMPLATE.vicuna`               | `xtuner-vicuna@1`         |
 * | `internlm2_chat` | XTuner `PROMPT_TEMPLATE.internlm2_chat`       | `xtuner-internlm2-chat@1` |
 * | `chatml`, `qwen2`| XTuner `PROMPT_TEMPLATE.qwen_chat`            | `xtuner-qwen-chat@1`      |
 * | `llama3`         | XTuner `PROMPT_TEMPLATE.llama3_chat`          | `xtuner-llama3-chat@1`    |
 *
 * `vicuna_v1` and `xtuner_vicuna` are different templates that share a name upstream ("vicuna"):
 * LLaVA's and XTuner's, with different text, BOS/EOS placement and masking.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import type { Template } from './pieces.js';
import { llavaPlainTemplate } from './llava-plain.js';
import { llavaVicunaV1Template } from './llava-vicuna-v1.js';
import { xtunerVicunaTemplate } from './xtuner-vicuna.js';
import { internlm2ChatTemplate } from './internlm2-chat.js';
import { qwenChatTemplate } from './qwen-chat.js';
import { llama3ChatTemplate } from './llama3-chat.js';

/** Every accepted template name. */
export const TEMPLATE_NAMES = ['plain', 'vicuna_v1', 'xtuner_vicuna', 'internlm2_chat', 'chatml', 'qwen2', 'llama3'] as const;

/** A template name. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The template config: which template, its system text, and how pretraining data is templated. */
export const templateConfigSchema = z
  .object({
    name: z.enum(TEMPLATE_NAMES),
    /** Replaces the template's default system text (none for XTuner templates, Vicuna's for vicuna_v1). */
    system: z.string().optional(),
    /**
     * XTuner applies its chat template to pretraining (caption) data, keeping the instruction;
     * LLaVA uses `plain` there. true = XTuner's way; false = render pretraining data with `plain`.
     */
    templateInPretraining: z.boolean().optional(),
    /** vicuna_v1 only: the training tokenizer's HF `legacy` flag (default: inferred from the tokenizer). */
    legacy: z.boolean().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.name === 'plain' && config.system !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['system'], message: 'plain has no system prompt (LLaVA pretraining); remove system' });
    }
    if (config.name !== 'vicuna_v1' && config.legacy !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['legacy'], message: 'legacy only affects vicuna_v1 masking; remove it' });
    }
  });

/** A validated template config. */
export type TemplateConfig = z.infer<typeof templateConfigSchema>;

/** Which training stage the data is for: decides `templateInPretraining`. */
export type TrainingStage = 'pretrain' | 'finetune';

/** Validate an unknown value as a template config, errors naming the field. */
export function parseTemplateConfig(value: unknown, where = 'template'): TemplateConfig {
  const parsed = templateConfigSchema.safeParse(value);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  return parsed.data;
}

/** The Template a config names, without the pretraining rule. */
function templateByName(config: TemplateConfig): Template {
  const system = { system: config.system };
  switch (config.name) {
    case 'plain':
      return llavaPlainTemplate();
    case 'vicuna_v1':
      return llavaVicunaV1Template({ ...system, legacy: config.legacy });
    case 'xtuner_vicuna':
      return xtunerVicunaTemplate(system);
    case 'internlm2_chat':
      return internlm2ChatTemplate(system);
    case 'chatml':
    case 'qwen2':
      return qwenChatTemplate(system);
    case 'llama3':
      return llama3ChatTemplate(system);
  }
}

/**
 * The Template for data of a given stage. Pretraining data uses the named template when
 * `templateInPretraining` is true (XTuner) and `plain` when false (LLaVA); a chat template for
 * pretraining without the flag is refused, since the two choices give different samples.
 */
export function resolveTemplate(config: TemplateConfig, stage: TrainingStage = 'finetune'): Template {
  if (stage === 'pretrain' && config.name !== 'plain') {
    if (config.templateInPretraining === undefined) {
      throw new InvalidInputError(
        'template.templateInPretraining',
        `pretraining data with ${config.name}: set true (XTuner: chat template, instruction kept) or false (LLaVA: plain)`,
      );
    }
    if (!config.templateInPretraining) return llavaPlainTemplate();
  }
  return templateByName(config);
}
