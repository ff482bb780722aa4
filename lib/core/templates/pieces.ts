/**
 * The vocabulary shared by every template: a template renders a Conversation into *pieces*, the
 * encoder turns pieces into ids and labels. A text piece is one upstream `tokenizer.encode` call —
 * which spans are encoded together decides the ids (SentencePiece adds its dummy-prefix `▁` at the
 * start of every call), so templates choose piece boundaries exactly where LLaVA/XTuner call the
 * tokenizer.
 */
import type { Conversation } from '../corpus/conversation.js';

/** Text encoded by ONE tokenizer call (no special tokens added); `trainable` = its labels are its ids. */
export interface TextPiece {
  readonly kind: 'text';
  readonly text: string;
  readonly trainable: boolean;
}

/** One image placeholder: one `IMAGE_TOKEN_ID` sentinel, label always `IGNORE_LABEL`. */
export interface ImagePiece {
  readonly kind: 'image';
}

/**
 * A token inserted by id, never tokenized: `bos`/`eos` mean the tokenizer's own (and emit nothing
 * when it has none — XTuner gives Qwen tokenizers no BOS), any other string is looked up by name.
 */
export interface SpecialPiece {
  readonly kind: 'special';
  readonly token: string;
  readonly trainable: boolean;
}

/** A unit of a rendered sample. */
export type Piece = TextPiece | ImagePiece | SpecialPiece;

/** What a label rule learns from the encoder. */
export interface LabelRuleInput {
  /** The sample's complete input ids (images as `IMAGE_TOKEN_ID`), before any truncation. */
  readonly inputIds: Int32Array;
  /** `len(encode(probe))` without special tokens, for each of the rule's probes, in order. */
  readonly probeLengths: Int32Array;
  /** Whether `tokenizer(x).input_ids` starts with a BOS (the tokenizer has one). */
  readonly hasBos: boolean;
  /** Id of a token string, or null (e.g. LLaVA's pad = `<unk>`). */
  readonly tokenToId: (token: string) => number | null;
  /** The run's max length (LLaVA `model_max_length`), when one is set. */
  readonly maxLength: number | undefined;
  /**
   * Whether text after a special token was encoded the non-legacy way of transformers 4.31
   * (the template asked for it and the tokenizer can; see non-legacy-prefix.ts).
   */
  readonly nonLegacyPrefix?: boolean;
}

/** A label rule's verdict: a trainable flag per position, or the upstream "mismatch → mask all" case. */
export type LabelRuleResult =
  | { readonly ok: true; readonly trainable: Uint8Array }
  | { readonly ok: false; readonly expectedLength: number; readonly actualLength: number };

/**
 * Labels computed from token counts instead of per-piece flags — LLaVA `preprocess_v1` derives its
 * masks from lengths of separately tokenized round strings, not from where pieces fall.
 */
export interface LabelRule {
  /** Texts whose standalone encoded lengths the rule needs. */
  readonly probes: readonly string[];
  /** Decide the trainable positions. */
  apply(input: LabelRuleInput): LabelRuleResult;
}

/** A conversation rendered by a template: the pieces, and optionally a length-based label rule. */
export interface RenderedSample {
  readonly pieces: readonly Piece[];
  /** When set, replaces the pieces' `trainable` flags. */
  readonly labelRule?: LabelRule;
}

/** A chat template, keyed by a versioned id written into every output (a changed rule is a new id). */
export interface Template {
  /** Versioned id, e.g. `xtuner-internlm2-chat@1`. */
  readonly id: string;
  /**
   * Special-token strings the template writes into text. When the tokenizer is verified to encode
   * the text on either side of them independently, the encoder splits there (see special-tokens.ts).
   */
  readonly specialTokens: readonly string[];
  /** Literal texts repeated in every sample (headers, separators): encoded once and cached. */
  readonly constantTexts: readonly string[];
  /**
   * Encode text that directly follows a special token inside one tokenizer call as transformers
   * 4.31's non-legacy LlamaTokenizer does (LLaVA-1.5; non-legacy-prefix.ts). Tokenizers whose
   * adapter can derive that are required to; ones that do not say keep their own ids.
   */
  readonly nonLegacyPrefix?: boolean;
  /** Render one conversation (`kind: 'conversation'`; documents never reach a template). */
  render(conversation: Conversation): RenderedSample;
}

/** A text piece. */
export function textPiece(text: string, trainable: boolean): TextPiece {
  return { kind: 'text', text, trainable };
}

/** An image sentinel piece. */
export const IMAGE_PIECE: ImagePiece = { kind: 'image' };

/** A special token inserted by id (`bos`, `eos` or a token string). */
export function specialPiece(token: string, trainable: boolean): SpecialPiece {
  return { kind: 'special', token, trainable };
}
