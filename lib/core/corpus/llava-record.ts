/**
 * LLaVA conversation records (LLaVA-Pretrain 558K, mix665k, ShareGPT4V, multi-image variants) →
 * Conversation, normalised the way LLaVA's `preprocess_multimodal` and XTuner's `llava_map_fn` do.
 */
import { z } from 'zod';
import { IMAGE_PLACEHOLDER } from '../tokenize/tokenizer.js';
import type { Turn } from './conversation.js';
import { wellFormedString } from './text-checks.js';
import {
  countPlaceholders,
  describeValue,
  idToString,
  mustBe,
  reasonFromZod,
  recordIdSchema,
  rejectWith,
  textTooLong,
  type ConvertOptions,
  type ConvertResult,
} from './source-format.js';

/**
 * `human`/`gpt` as in every LLaVA file; `user`/`assistant` accepted as exact synonyms (OpenAI-style
 * exports). Anything else — `system` included — is rejected: LLaVA raises KeyError, XTuner
 * NotImplementedError.
 */
const ROLE_OF = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant' } as const;
const roleSchema = z.enum(['human', 'gpt', 'user', 'assistant'], {
  error: (issue) => `${describeValue(issue.input)} is not a role (human, gpt; or their synonyms user, assistant)`,
});
const imagePathSchema = wellFormedString(z.string(mustBe('an image path')).min(1, { error: 'an image path must not be empty' }));
const turnSchema = z.object({ from: roleSchema, value: wellFormedString(z.string(mustBe('a string'))) });

/** One LLaVA record. Unknown keys (`model`, …) are ignored. */
export const llavaRecordSchema = z.object({
  id: recordIdSchema.optional(),
  /** One image path, or (LLaVA-NeXT interleave) a list. null/absent = text-only. */
  image: z.union([imagePathSchema, z.array(imagePathSchema)], mustBe('an image path or a list of paths')).nullish(),
  images: z.array(imagePathSchema, mustBe('a list of image paths')).nullish(),
  conversations: z.array(turnSchema, mustBe('a list of turns')).min(1, { error: 'empty conversation; a record needs a human turn and a gpt answer' }),
});
/** A validated LLaVA record. */
export type LlavaRecord = z.infer<typeof llavaRecordSchema>;

/** Convert a parsed LLaVA record, or say precisely why it is rejected. */
export function convertLlavaRecord(raw: unknown, options: ConvertOptions): ConvertResult {
  const parsed = llavaRecordSchema.safeParse(raw);
  if (!parsed.success) return rejectWith(reasonFromZod(parsed.error));
  const record = parsed.data;
  const images = imagesOf(record);
  if (typeof images === 'string') return rejectWith(images);
  const turns = alternatingTurns(record.conversations);
  if (typeof turns === 'string') return rejectWith(turns);
  for (const turn of turns) {
    const tooLong = textTooLong(['conversations', turn.index, 'value'], turn.text, options);
    if (tooLong !== null) return rejectWith(tooLong);
  }
  const mismatch = placeholderMismatch(turns, images.length);
  if (mismatch !== null) return rejectWith(mismatch);
  return {
    ok: true,
    conversation: {
      id: idToString(record.id),
      turns: turns.map(({ role, text }): Turn => ({ role, text: role === 'user' ? moveSinglePlaceholderToFront(text) : text })),
      images,
      kind: 'conversation',
    },
  };
}

function imagesOf(record: LlavaRecord): string[] | string {
  if (record.image != null && record.images != null) return 'image, images: both are set; give the image list in one of them';
  if (typeof record.image === 'string') return [record.image];
  return record.image ?? record.images ?? [];
}

interface IndexedTurn extends Turn {
  /** Position in the source `conversations` list, for messages. */
  readonly index: number;
}

/**
 * Drop leading gpt turns (XTuner `llava_map_fn` drops all of them; LLaVA `preprocess_v1` drops
 * one, then asserts alternation), then require human, gpt, human, gpt, … ending with a gpt answer.
 */
function alternatingTurns(conversations: LlavaRecord['conversations']): IndexedTurn[] | string {
  let first = 0;
  while (first < conversations.length && ROLE_OF[conversations[first]!.from] === 'assistant') first++;
  if (first === conversations.length) return 'conversations: no human turn (leading gpt turns are dropped, as LLaVA and XTuner do)';
  const turns: IndexedTurn[] = [];
  for (let index = first; index < conversations.length; index++) {
    const { from, value } = conversations[index]!;
    const expected = (index - first) % 2 === 0 ? 'user' : 'assistant';
    if (ROLE_OF[from] !== expected) {
      const want = expected === 'user' ? 'human' : 'gpt';
      return `conversations[${index}].from: expected a ${want} turn (turns alternate human, gpt), got "${from}"`;
    }
    turns.push({ index, role: expected, text: value });
  }
  if (turns.length % 2 === 1) {
    return `conversations[${conversations.length - 1}]: the conversation ends with a human turn that has no gpt answer`;
  }
  return turns;
}

/** Each image needs exactly one `<image>` in a human turn, and vice versa. */
function placeholderMismatch(turns: readonly IndexedTurn[], imageCount: number): string | null {
  let total = 0;
  for (const turn of turns) {
    const count = countPlaceholders(turn.text);
    if (count > 0 && turn.role === 'assistant') {
      return `conversations[${turn.index}].value: <image> in a gpt turn; placeholders belong in human turns`;
    }
    total += count;
  }
  if (total === imageCount) return null;
  if (imageCount === 0) {
    return `conversations: ${total} <image> placeholder(s) but the record has no image ("image"/"images" absent)`;
  }
  if (total === 0) {
    // LLaVA and XTuner would load the image and insert none of its features: a silent data bug.
    return `conversations: no <image> placeholder for the record's ${imageCount} image(s); put "<image>" in the first human turn`;
  }
  return `conversations: ${total} <image> placeholder(s) for ${imageCount} image(s); they must match one to one`;
}

/**
 * LLaVA `preprocess_multimodal` / XTuner `llava_map_fn`: a turn holding one `<image>` becomes
 * `"<image>\n" + rest.strip()` (then `.strip()`, so an image-only turn is just `<image>`). Turns with
 * several placeholders (multi-image) keep them in place, as LLaVA-NeXT does; LLaVA-1.5 would
 * collapse them into one, which cannot match several images.
 */
export function moveSinglePlaceholderToFront(text: string): string {
  if (countPlaceholders(text) !== 1) return text;
  const rest = pythonStrip(text.replace(IMAGE_PLACEHOLDER, ''));
  return rest === '' ? IMAGE_PLACEHOLDER : `${IMAGE_PLACEHOLDER}\n${rest}`;
}

/** Python's `str.strip()`: its whitespace set differs from JS `trim()` (U+001C–U+001F, U+0085 yes; U+FEFF no). */
export function pythonStrip(text: string): string {
  let start = 0,
    end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isPythonSpace(c: number): boolean {
  if (c <= 0x20) return (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c < 0x1680) return c === 0x85 || c === 0xa0;
  if (c >= 0x2000 && c <= 0x200a) return true;
  return c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}
