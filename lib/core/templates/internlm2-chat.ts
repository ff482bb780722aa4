/**
 * XTuner's `internlm2_chat` template (`PROMPT_TEMPLATE.internlm2_chat`, InternLM/xtuner
 * `xtuner/utils/templates.py`), used by the LLaVA-InternLM2 configs in pretraining and fine-tuning.
 * `<|im_end|>` is the SUFFIX and acts as EOS: no EOS id, and BOS only at the start of the sample.
 */
import { createXtunerTemplate, type XtunerPromptTemplate, type XtunerTemplateOptions } from './xtuner-template.js';
import type { Template } from './pieces.js';

/** The template strings, verbatim from XTuner. */
export const XTUNER_INTERNLM2_CHAT: XtunerPromptTemplate = {
  SYSTEM: '<|im_start|>system\n{system}<|im_end|>\n',
  INSTRUCTION: '<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n',
  SUFFIX: '<|im_end|>',
  SUFFIX_AS_EOS: true,
  SEP: '\n',
};

/** XTuner `internlm2_chat` as a Template. */
export function internlm2ChatTemplate(options: XtunerTemplateOptions = {}): Template {
  return createXtunerTemplate('xtuner-internlm2-chat@1', XTUNER_INTERNLM2_CHAT, ['<|im_start|>', '<|im_end|>'], options);
}
