/**
 * XTuner's `vicuna` template (`PROMPT_TEMPLATE.vicuna`, InternLM/xtuner `xtuner/utils/templates.py`),
 * used by its LLaVA-v1.5 configs in both pretraining and fine-tuning. Not LLaVA's `vicuna_v1`: the
 * system prompt appears only when a system text is given, `ASSISTANT:` has no trailing space (the
 * answer's own leading `▁` comes from its separate encode), EOS is added by id, and turns are
 * separated by an own-call "\n".
 */
import { createXtunerTemplate, type XtunerPromptTemplate, type XtunerTemplateOptions } from './xtuner-template.js';
import type { Template } from './pieces.js';

/** The template strings, verbatim from XTuner. */
export const XTUNER_VICUNA: XtunerPromptTemplate = {
  SYSTEM:
    'A chat between a curious user and an artificial intelligence assistant. The assistant gives ' +
    "helpful, detailed, and polite answers to the user's questions. {system}\n ",
  INSTRUCTION: 'USER: {input} ASSISTANT:',
  SUFFIX: '',
  SUFFIX_AS_EOS: false,
  SEP: '\n',
};

/** XTuner `vicuna` as a Template. */
export function xtunerVicunaTemplate(options: XtunerTemplateOptions = {}): Template {
  return createXtunerTemplate('xtuner-vicuna@1', XTUNER_VICUNA, [], options);
}
