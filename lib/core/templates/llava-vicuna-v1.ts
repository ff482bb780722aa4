/**
 * LLaVA's `vicuna_v1` template (LLaVA-1.5 fine-tuning, `--version v1`; haotian-liu/LLaVA
 * `llava/conversation.py` `conv_vicuna_v1` with `get_prompt()` for `SeparatorStyle.TWO`, and
 * `llava/train/train.py` `preprocess_v1`).
 *
 * The whole prompt is ONE string — `system + " " + ("USER: " + q + " " + "ASSISTANT: " + a + "</s>")*` —
 * tokenized by `tokenizer_image_token` (one call per `<image>`-separated chunk, one BOS); the
 * masks come from LLaVA's length arithmetic (llava-v1-masking.ts), not from piece boundaries.
 */
import type { Conversation } from '../corpus/conversation.js';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import { specialPiece, type RenderedSample, type Template } from './pieces.js';
import { llavaV1LabelRule, V1_ROUND_SEPARATOR } from './llava-v1-masking.js';
import { chunkPieces, invalidConversation, moveImageToFront, takeSystem } from './text-rules.js';

/** `conv_vicuna_v1.system`. */
export const VICUNA_V1_SYSTEM =
  'A chat between a curious user and an artificial intelligence assistant. ' +
  "The assistant gives helpful, detailed, and polite answers to the user's questions.";

/** Options of the vicuna_v1 template. */
export interface VicunaV1Options {
  /** Replaces the default system prompt (a conversation's own system turn wins over both). */
  readonly system?: string | undefined;
  /**
   * The training tokenizer's HF `legacy` flag. false: text after a special token (`USER:` after
   * each `</s>`) is encoded as transformers 4.31's non-legacy LlamaTokenizer did for LLaVA-1.5
   * (`US`, not `▁US`) where the tokenizer's adapter can (non-legacy-prefix.ts), with LLaVA-1.5's
   * masking (no −1); on a tokenizer that does not say, its own ids with the −1 per later round of
   * LLaVA ≥ 1.2 under tokenizers ≥ 0.14. Omitted: inferred from the tokenizer — the −1 applies
   * iff `USER:` after `</s>` encodes one id shorter than alone, so LLaVA's arithmetic matches the
   * ids. true on a non-legacy tokenizer reproduces a run whose flag disagreed with it (every
   * multi-round sample is then masked, as upstream).
   */
  readonly legacy?: boolean | undefined;
}

/** `preprocess_v1`: skip ONE leading assistant turn, then roles must alternate user/assistant. */
function alternatingMessages(conversation: Conversation, turns: Conversation['turns']): Conversation['turns'] {
  const messages = turns[0]?.role === 'assistant' ? turns.slice(1) : turns;
  messages.forEach((turn, j) => {
    const expected = j % 2 === 0 ? 'user' : 'assistant';
    if (turn.role !== expected) {
      throw invalidConversation(conversation, `vicuna_v1 needs alternating user/assistant turns (LLaVA asserts it); turn ${j} is ${turn.role}`);
    }
  });
  return messages;
}

/** `Conversation.get_prompt()` for SeparatorStyle.TWO; an empty message renders as `ROLE:` with no separator. */
export function vicunaV1Prompt(system: string, messages: Conversation['turns']): string {
  const separators = [' ', V1_ROUND_SEPARATOR];
  let prompt = system + separators[0]!;
  messages.forEach((turn, i) => {
    const role = turn.role === 'user' ? 'USER' : 'ASSISTANT';
    prompt += turn.text !== '' ? `${role}: ${turn.text}${separators[i % 2]!}` : `${role}:`;
  });
  return prompt;
}

/** Render a conversation as LLaVA `preprocess_v1` tokenizes it. */
function renderVicunaV1(conversation: Conversation, options: VicunaV1Options): RenderedSample {
  const { system: ownSystem, rest } = takeSystem(conversation);
  const system = ownSystem !== '' ? ownSystem : (options.system ?? VICUNA_V1_SYSTEM);
  const messages = alternatingMessages(conversation, rest).map((turn) => ({ ...turn, text: moveImageToFront(turn.text) }));
  const prompt = vicunaV1Prompt(system, messages);
  const hasImage = prompt.includes(IMAGE_PLACEHOLDER);
  return {
    pieces: [specialPiece('bos', false), ...chunkPieces(prompt, false)],
    labelRule: llavaV1LabelRule(prompt, hasImage, options.legacy),
  };
}

/** LLaVA `vicuna_v1` as a Template. */
export function llavaVicunaV1Template(options: VicunaV1Options = {}): Template {
  const system = options.system ?? VICUNA_V1_SYSTEM;
  return {
    // legacy: false encodes text after special tokens differently (non-legacy-prefix.ts): its own id.
    id: options.legacy === false ? 'llava-vicuna-v1-nonlegacy@1' : 'llava-vicuna-v1@1',
    specialTokens: [V1_ROUND_SEPARATOR],
    // With the image at the front of the first question, the first chunk is always this; then the
    // legacy probes, and the role word that cutting at space seams meets in every round.
    constantTexts: [`${system} USER: `, 'USER:', `${V1_ROUND_SEPARATOR}USER:`, 'ASSISTANT:'],
    nonLegacyPrefix: options.legacy === false,
    render: (conversation) => renderVicunaV1(conversation, options),
  };
}
