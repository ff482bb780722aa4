/**
 * XTuner's `llama3_chat` template (`PROMPT_TEMPLATE.llama3_chat`, InternLM/xtuner
 * `xtuner/utils/templates.py`, since v0.1.18). `<|eot_id|>` is the SUFFIX and acts as EOS; there is
 * no SEP, so turns follow each other directly. `<|begin_of_text|>` comes from the tokenizer's BOS.
 */
import { createXtunerTemplate, type XtunerPromptTemplate, type XtunerTemplateOptions } from './xtuner-template.js';
import type { Template } from './pieces.js';

/** The template strings, verbatim from XTuner. */
export const XTUNER_LLAMA3_CHAT: XtunerPromptTemplate = {
  SYSTEM: '<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>',
  INSTRUCTION: '<|start_header_id|>user<|end_header_id|>\n\n{input}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  SUFFIX: '<|eot_id|>',
  SUFFIX_AS_EOS: true,
  SEP: '',
};

/** XTuner `llama3_chat` as a Template. */
export function llama3ChatTemplate(options: XtunerTemplateOptions = {}): Template {
  const specials = ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
  return createXtunerTemplate('xtuner-llama3-chat@1', XTUNER_LLAMA3_CHAT, specials, options);
}
