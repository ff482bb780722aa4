/**
 * ChatML as XTuner writes it for Qwen (`PROMPT_TEMPLATE.qwen_chat`, InternLM/xtuner
 * `xtuner/utils/templates.py` v0.1.18+; older releases began SYSTEM and INSTRUCTION with an extra
 * "\n"). Registered as both `chatml` and `qwen2`. The strings equal `internlm2_chat`'s; the
 * difference in ids comes from the tokenizer: XTuner gives Qwen tokenizers no BOS, and ours emit
 * none when the tokenizer has no BOS token. No default system prompt (unlike HF Qwen2's chat
 * template, which adds "You are a helpful assistant."): XTuner adds none.
 */
import { createXtunerTemplate, type XtunerPromptTemplate, type XtunerTemplateOptions } from './xtuner-template.js';
import type { Template } from './pieces.js';

/** The template strings, verbatim from XTuner. */
export const XTUNER_QWEN_CHAT: XtunerPromptTemplate = {
  SYSTEM: '<|im_start|>system\n{system}<|im_end|>\n',
  INSTRUCTION: '<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n',
  SUFFIX: '<|im_end|>',
  SUFFIX_AS_EOS: true,
  SEP: '\n',
};

/** XTuner `qwen_chat` (ChatML) as a Template. */
export function qwenChatTemplate(options: XtunerTemplateOptions = {}): Template {
  return createXtunerTemplate('xtuner-qwen-chat@1', XTUNER_QWEN_CHAT, ['<|im_start|>', '<|im_end|>'], options);
}
