/**
 * String rules shared by the templates, written to match the Python they replicate character for
 * character (`str.strip`, `str.split('<image>')`).
 */
import { InvalidInputError } from '../errors.js';
import type { Conversation } from '../corpus/conversation.js';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import { IMAGE_PIECE, textPiece, type Piece } from './pieces.js';

// Python's str.isspace() set. JS trim() differs: it keeps U+001C–U+001F and U+0085 but strips
// U+FEFF, so a caption ending in U+0085 would render differently from LLaVA/XTuner.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python `s.strip()` (no argument). */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/** Python `s.split('<image>')`: always at least one chunk, empty chunks kept. */
export function splitOnImages(text: string): string[] {
  return text.includes(IMAGE_PLACEHOLDER) ? text.split(IMAGE_PLACEHOLDER) : [text];
}

/** Number of `<image>` placeholders in a text (no allocation: this runs for every turn). */
export function countImages(text: string): number {
  let count = 0;
  for (let at = text.indexOf(IMAGE_PLACEHOLDER); at >= 0; at = text.indexOf(IMAGE_PLACEHOLDER, at + IMAGE_PLACEHOLDER.length)) count += 1;
  return count;
}

/**
 * LLaVA `preprocess_multimodal` / XTuner `llava_map_fn`: a turn holding `<image>` becomes
 * `"<image>\n" + rest.strip()`, stripped. Upstream does this for a single placeholder (XTuner
 * asserts one; LLaVA would collapse several into one). We allow several images per turn and then
 * leave them where they are, since collapsing would lose images.
 */
export function moveImageToFront(text: string): string {
  if (countImages(text) !== 1) return text;
  return pyStrip(`${IMAGE_PLACEHOLDER}\n${pyStrip(text.replace(IMAGE_PLACEHOLDER, ''))}`);
}

/**
 * Pieces for one upstream `encode` of a text that may hold placeholders: each `<image>`-separated
 * chunk is its own call (LLaVA `tokenizer_image_token`, XTuner `encode_fn`), images in between.
 */
export function chunkPieces(text: string, trainable: boolean): Piece[] {
  if (!text.includes(IMAGE_PLACEHOLDER)) return [textPiece(text, trainable)];
  const pieces: Piece[] = [];
  splitOnImages(text).forEach((chunk, index) => {
    if (index > 0) pieces.push(IMAGE_PIECE);
    pieces.push(textPiece(chunk, trainable));
  });
  return pieces;
}

/** The error for a conversation a template cannot render, naming the sample and what to change. */
export function invalidConversation(conversation: Conversation, message: string): InvalidInputError {
  return new InvalidInputError(`conversation[${JSON.stringify(conversation.id)}]`, message);
}

/** Leading `system` turns joined by "\n" ('' when none), and the remaining turns. */
export function takeSystem(conversation: Conversation): { system: string; rest: Conversation['turns'] } {
  const turns = conversation.turns;
  let start = 0;
  while (start < turns.length && turns[start]!.role === 'system') start += 1;
  for (let t = start; t < turns.length; t++) {
    if (turns[t]!.role === 'system') {
      throw invalidConversation(conversation, `turn ${t} is a system turn after the first user/assistant turn; put system text first`);
    }
  }
  // Most samples have no system turn: then nothing is copied.
  if (start === 0) return { system: '', rest: turns };
  return {
    system: turns
      .slice(0, start)
      .map((t) => t.text)
      .join('\n'),
    rest: turns.slice(start),
  };
}
