/**
 * XTuner's classic chat pipeline as one engine: `llava_map_fn` (pairs user input with the next
 * assistant output) → `template_map_fn` (SYSTEM/INSTRUCTION/SUFFIX/SEP) → `encode_fn` (one
 * tokenizer call per segment, BOS/EOS by id). Sources: InternLM/xtuner
 * `xtuner/dataset/map_fns/dataset_map_fns/llava_map_fn.py`, `xtuner/dataset/map_fns/template_map_fn.py`,
 * `xtuner/dataset/utils.py` (`encode_fn`), `xtuner/utils/templates.py` (v0.1.18+ / v0.2.0).
 */
import type { Conversation } from '../corpus/conversation.js';
import { specialPiece, textPiece, type Piece, type RenderedSample, type Template } from './pieces.js';
import { chunkPieces, moveImageToFront, takeSystem } from './text-rules.js';

/** One entry of XTuner's `PROMPT_TEMPLATE` (absent keys as XTuner's defaults: '' / false). */
export interface XtunerPromptTemplate {
  /** Wraps a non-empty system text; `{system}` is replaced. */
  readonly SYSTEM: string;
  /** Wraps every user input; `{input}` and `{round}` (1-based) are replaced. */
  readonly INSTRUCTION: string;
  /** Appended to every output, inside the trainable span. */
  readonly SUFFIX: string;
  /** When true, SUFFIX ends the turn and no EOS id is added (nor a BOS before the next turn). */
  readonly SUFFIX_AS_EOS: boolean;
  /** Encoded on its own after every turn, masked. */
  readonly SEP: string;
}

/** Options every XTuner template accepts. */
export interface XtunerTemplateOptions {
  /** System text used when the conversation has none (XTuner's LLaVA data has none). */
  readonly system?: string | undefined;
}

/** One `{input, output}` pair as `llava_map_fn` builds it. */
interface XtunerPair {
  readonly input: string;
  readonly output: string;
}

/** Python `str.format` for the named fields our templates use (values are inserted verbatim). */
function formatFields(format: string, values: Readonly<Record<string, string>>): string {
  return format.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * `llava_map_fn`: skip leading assistant turns; user texts (image moved to the front) accumulate
 * until an assistant turn closes the pair; a trailing user turn with no answer is dropped.
 */
function toPairs(turns: Conversation['turns']): XtunerPair[] {
  let start = 0;
  while (start < turns.length && turns[start]!.role === 'assistant') start += 1;
  const pairs: XtunerPair[] = [];
  let input = '';
  for (const turn of turns.slice(start)) {
    if (turn.role === 'user') {
      input += moveImageToFront(turn.text);
    } else {
      pairs.push({ input, output: turn.text });
      input = '';
    }
  }
  return pairs;
}

/**
 * `template_map_fn` + `encode_fn` for one pair: [BOS] + input (masked, one call per `<image>`
 * chunk) + output+SUFFIX (trainable, one call) + [EOS] (trainable) + SEP (masked, own call).
 * XTuner does not split outputs on `<image>`; we do, so a placeholder is never tokenized as text.
 */
function pairPieces(prompt: XtunerPromptTemplate, pair: XtunerPair, round: number, system: string, withBos: boolean): Piece[] {
  const systemText = system !== '' ? formatFields(prompt.SYSTEM, { system }) : '';
  const input = systemText + formatFields(prompt.INSTRUCTION, { input: pair.input, round: String(round) });
  const output = prompt.SUFFIX !== '' ? pair.output + prompt.SUFFIX : pair.output;
  const pieces: Piece[] = [];
  if (withBos) pieces.push(specialPiece('bos', false));
  pieces.push(...chunkPieces(input, false), ...chunkPieces(output, true));
  if (!prompt.SUFFIX_AS_EOS) pieces.push(specialPiece('eos', true));
  if (prompt.SEP !== '') pieces.push(textPiece(prompt.SEP, false));
  return pieces;
}

/** Render a conversation as XTuner would; the system text goes into the first round only. */
export function renderXtuner(prompt: XtunerPromptTemplate, conversation: Conversation, defaultSystem: string): RenderedSample {
  const { system: ownSystem, rest } = takeSystem(conversation);
  const system = ownSystem !== '' ? ownSystem : defaultSystem;
  const pieces: Piece[] = [];
  // BOS opens the sample and follows every EOS (`next_needs_bos_token`).
  toPairs(rest).forEach((pair, index) => {
    const withBos = index === 0 || !prompt.SUFFIX_AS_EOS;
    pieces.push(...pairPieces(prompt, pair, index + 1, index === 0 ? system : '', withBos));
  });
  return { pieces };
}

/**
 * Texts every sample repeats, to encode once: the instruction's head (the whole first chunk when
 * the image leads the input, as `llava_map_fn` arranges) with and without the system prefix, its
 * tail (after the input: whole sections once cut at special tokens, e.g. `assistant\n`), SEP.
 */
function constantTexts(prompt: XtunerPromptTemplate, system: string): string[] {
  const [head, tail] = prompt.INSTRUCTION.split('{input}').map((part) => part.replace('{round}', '1'));
  const texts = [head!, tail ?? '', prompt.SEP, prompt.SUFFIX];
  if (system !== '') texts.push(formatFields(prompt.SYSTEM, { system }) + head!);
  return texts.filter((text) => text !== '' && !text.includes('{'));
}

/** Build a Template from an XTuner `PROMPT_TEMPLATE` entry. */
export function createXtunerTemplate(
  id: string,
  prompt: XtunerPromptTemplate,
  specialTokens: readonly string[],
  options: XtunerTemplateOptions = {},
): Template {
  const system = options.system ?? '';
  return {
    id,
    specialTokens,
    constantTexts: constantTexts(prompt, system),
    render: (conversation) => renderXtuner(prompt, conversation, system),
  };
}
