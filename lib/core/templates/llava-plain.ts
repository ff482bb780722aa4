/**
 * LLaVA's `plain` template (LLaVA-1.5 pretraining, `--version plain`; haotian-liu/LLaVA
 * `llava/train/train.py` `preprocess_plain`, `llava/conversation.py` `conv_llava_plain`).
 *
 * The user turn is replaced by a bare `<image>` (the instruction is discarded), so the prompt is
 * `"<image>" + caption + "\n"` and `tokenizer_image_token` gives `[BOS, -200] + enc(caption + "\n")`
 * (the caption chunk's own BOS stripped). The first `len(tokenizer_image_token("<image>"))` = 2
 * positions (1 without a BOS) are masked; the caption and its "\n" are trainable; no EOS.
 */
import type { Conversation } from '../corpus/conversation.js';
import { IMAGE_PIECE, specialPiece, type Piece, type RenderedSample, type Template } from './pieces.js';
import { chunkPieces, countImages, invalidConversation, moveImageToFront, takeSystem } from './text-rules.js';

/** `conv_llava_plain.sep`, appended after the caption. */
export const PLAIN_SEPARATOR = '\n';

const BOS_PIECE = specialPiece('bos', false);

/** Check the shape `preprocess_plain` asserts (two turns, image in the first) and return the caption. */
function captionOf(conversation: Conversation): string {
  const { system, rest } = takeSystem(conversation);
  if (system !== '') {
    throw invalidConversation(conversation, 'plain has no system prompt (LLaVA pretraining); drop the system turn or use another template');
  }
  const user = rest[0];
  const answer = rest[1];
  if (rest.length !== 2 || user?.role !== 'user' || answer?.role !== 'assistant') {
    throw invalidConversation(conversation, `plain needs exactly one user turn then one assistant turn (LLaVA preprocess_plain); got ${rest.length} turns`);
  }
  if (countImages(user.text) !== 1) {
    throw invalidConversation(conversation, `plain needs exactly one <image> in the user turn; found ${countImages(user.text)}`);
  }
  // preprocess_multimodal normalises every turn holding a placeholder, the answer included.
  return moveImageToFront(answer.text);
}

/** Render an image–caption pair as LLaVA `preprocess_plain` does. */
export function renderPlain(conversation: Conversation): RenderedSample {
  const pieces: Piece[] = [BOS_PIECE, IMAGE_PIECE];
  for (const piece of chunkPieces(captionOf(conversation) + PLAIN_SEPARATOR, true)) pieces.push(piece);
  return { pieces };
}

/** LLaVA `plain` as a Template. */
export function llavaPlainTemplate(): Template {
  return { id: 'llava-plain@1', specialTokens: [], constantTexts: [], render: renderPlain };
}
