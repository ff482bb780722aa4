/**
 * LLaVA `preprocess_v1`'s masking, reproduced including its quirks (haotian-liu/LLaVA
 * `llava/train/train.py`). LLaVA does not track which tokens belong to whom: it re-tokenizes each
 * round string and each instruction string on its own and advances a cursor by their lengths:
 *
 * ```
 * cur_len = 1; target[:1] = IGNORE
 * for i, rou in enumerate(prompt.split("</s>")):
 *     if rou == "": break
 *     parts = rou.split(" ASSISTANT: "); if len(parts) != 2: break
 *     round_len = len(tii(rou)); instruction_len = len(tii(parts[0] + " ASSISTANT: ")) - 2
 *     if i != 0 and not tokenizer.legacy and tokenizers >= 0.14: round_len -= 1; instruction_len -= 1
 *     target[cur_len : cur_len + instruction_len] = IGNORE; cur_len += round_len
 * target[cur_len:] = IGNORE
 * if cur_len < model_max_length and cur_len != total_len: target[:] = IGNORE  # "tokenization mismatch"
 * ```
 * where `tii(s)` = `tokenizer_image_token(s)` (= `tokenizer(s).input_ids` without images) and
 * `total_len` = the number of ids that are not the pad id (LLaVA sets pad = `<unk>` for v1).
 */
import { IMAGE_TOKEN_ID } from '../tokenize/tokenizer.js';
import type { LabelRule, LabelRuleInput, LabelRuleResult } from './pieces.js';
import { splitOnImages } from './text-rules.js';

/** `conv_vicuna_v1.sep2`: the rounds separator LLaVA splits on. */
export const V1_ROUND_SEPARATOR = '</s>';
/** `conv.sep + conv.roles[1] + ": "`: where LLaVA splits a round into instruction and answer. */
export const V1_ANSWER_SEPARATOR = ' ASSISTANT: ';

/** One round's probes: the chunks of `rou` and of `parts[0] + sep`, as probe index ranges. */
interface RoundProbes {
  readonly round: readonly number[];
  readonly instruction: readonly number[];
}

/** A Python slice bound on a sequence of `length` (negative indices count from the end). */
function pySliceIndex(index: number, length: number): number {
  return Math.min(Math.max(index < 0 ? index + length : index, 0), length);
}

/** Rounds LLaVA's loop visits: it stops at the first empty round or one not split in two. */
function visitedRounds(prompt: string): string[][] {
  const visited: string[][] = [];
  for (const round of prompt.split(V1_ROUND_SEPARATOR)) {
    if (round === '') break;
    const parts = round.split(V1_ANSWER_SEPARATOR);
    if (parts.length !== 2) break;
    visited.push([round, parts[0]! + V1_ANSWER_SEPARATOR]);
  }
  return visited;
}

/** Count ids other than the pad id (all of them when there is no pad id). */
function countNonPad(ids: Int32Array, end: number, padId: number | null): number {
  if (padId === null) return end;
  let count = 0;
  for (let i = 0; i < end; i++) if (ids[i] !== padId) count += 1;
  return count;
}

/** What a later round's first word looks like after `</s>`, and on its own. */
const LEGACY_PROBES = [`${V1_ROUND_SEPARATOR}USER:`, 'USER:'];

/**
 * Whether the tokenizer behaves like a legacy one: `USER:` after `</s>` encodes to as many ids as
 * on its own. A non-legacy LLaMA tokenizer drops the `▁` there and comes out one id shorter —
 * exactly the case LLaVA's −1 exists for.
 */
function behavesLegacy(probeLengths: Int32Array, first: number): boolean {
  return probeLengths[first]! - 1 === probeLengths[first + 1]!;
}

/**
 * The label rule for a `vicuna_v1` prompt. `legacy` is the training tokenizer's HF `legacy` flag:
 * false applies LLaVA's −1 to every round after the first (tokenizers ≥ 0.14) — unless the ids
 * were encoded the non-legacy way of transformers 4.31 (`input.nonLegacyPrefix`), whose LLaVA
 * (1.5) has no −1; undefined infers it from how the tokenizer encodes text after `</s>`.
 */
export function llavaV1LabelRule(prompt: string, hasImage: boolean, legacy: boolean | undefined): LabelRule {
  const probes: string[] = [...LEGACY_PROBES];
  const addChunks = (text: string): number[] => splitOnImages(text).map((chunk) => probes.push(chunk) - 1);
  const rounds: RoundProbes[] = visitedRounds(prompt).map(([round, instruction]) => ({
    round: addChunks(round!),
    instruction: addChunks(instruction!),
  }));
  return {
    probes,
    apply: (input) => applyV1Masking(input, rounds, hasImage, !roundAdjustment(input, legacy)),
  };
}

/**
 * Whether LLaVA subtracts 1 per later round. LLaVA-1.5's `preprocess_v1` (transformers 4.31) has no
 * −1 at all; LLaVA ≥ 1.2 subtracts for `not tokenizer.legacy` under tokenizers ≥ 0.14.
 */
function roundAdjustment(input: LabelRuleInput, legacy: boolean | undefined): boolean {
  if (legacy === undefined) return !behavesLegacy(input.probeLengths, 0);
  return !legacy && input.nonLegacyPrefix !== true;
}

/** Run LLaVA's cursor arithmetic on the encoded prompt. */
function applyV1Masking(input: LabelRuleInput, rounds: readonly RoundProbes[], hasImage: boolean, legacy: boolean): LabelRuleResult {
  const { inputIds, probeLengths, hasBos, maxLength } = input;
  const n = inputIds.length;
  // tokenizer_image_token length: one BOS, every chunk's ids, one sentinel between chunks.
  const tiiLength = (chunks: readonly number[]): number => (hasBos ? 1 : 0) + chunks.reduce((sum, p) => sum + probeLengths[p]!, 0) + chunks.length - 1;
  const trainable = new Uint8Array(n).fill(1);
  const mask = (start: number, end: number): void => {
    const a = pySliceIndex(start, n);
    const b = pySliceIndex(end, n);
    if (b > a) trainable.fill(0, a, b);
  };
  let cur = 1;
  mask(0, cur);
  rounds.forEach((round, i) => {
    let roundLength = tiiLength(round.round);
    let instructionLength = tiiLength(round.instruction) - 2;
    if (i !== 0 && !legacy) {
      roundLength -= 1;
      instructionLength -= 1;
    }
    mask(cur, cur + instructionLength);
    cur += roundLength;
  });
  mask(cur, n);
  // Text-only prompts are tokenized with truncation=True at model_max_length; image prompts are not.
  const counted = !hasImage && maxLength !== undefined ? Math.min(n, maxLength) : n;
  const total = countNonPad(inputIds, counted, input.tokenToId('<unk>'));
  if ((maxLength === undefined || cur < maxLength) && cur !== total) {
    return { ok: false, expectedLength: cur, actualLength: total };
  }
  for (let i = 0; i < n; i++) if (inputIds[i] === IMAGE_TOKEN_ID) trainable[i] = 0;
  return { ok: true, trainable };
}
