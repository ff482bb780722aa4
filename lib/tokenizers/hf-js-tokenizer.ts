/**
 * The pure-JS engine: `@huggingface/tokenizers` (the tokenizer core of transformers.js). About 20×
 * slower than the native engine, but it runs anywhere Node runs; it is the cross-check that the
 * native engine gives the same ids, and the fallback where no native binary exists.
 */
import type { Tokenizer as JsHfTokenizer } from '@huggingface/tokenizers';
import { CorruptArtifactError } from '../core/errors.js';
import type { NonLegacyPrefix, NonLegacyPrefixTokenizer } from '../core/tokenize/non-legacy-prefix.js';
import type { SpaceSeams, SpaceSeamTokenizer } from '../core/tokenize/space-seams.js';
import type { Tokenizer } from '../core/tokenize/tokenizer.js';
import { parseHfTokenizerFiles, type HfTokenizerFiles } from './hf-tokenizer-files.js';
import { deriveNonLegacyPrefix } from './derive-non-legacy-prefix.js';
import { proveSpaceSeams } from './prove-space-seams.js';

/** Texts encoded between two yields to the event loop (the engine is synchronous). */
const JS_BATCH_SIZE = 256;

// The constructor's config feeds transformers.js emulations of slow tokenizers (remove_space,
// do_lowercase_and_remove_accent) that the native engine never applies. Passing only these keys
// keeps both engines tokenizing from the same information: the tokenizer.json.
const CONFIG_KEYS_PASSED = ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'additional_special_tokens'];

/** Load a tokenizer.json (+ tokenizer_config.json) into the pure-JS engine. */
export async function createHfJsTokenizer(files: HfTokenizerFiles): Promise<Tokenizer> {
  const parsed = parseHfTokenizerFiles(files);
  const { Tokenizer: JsTokenizer } = await import('@huggingface/tokenizers');
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS_PASSED) {
    if (parsed.config !== null && key in parsed.config) config[key] = parsed.config[key];
  }
  let engine: JsHfTokenizer;
  try {
    engine = new JsTokenizer(parsed.tokenizerJson, config);
  } catch (error) {
    throw new CorruptArtifactError(`${files.source} tokenizer.json`, `the pure-JS tokenizers engine rejected it (${(error as Error).message})`);
  }
  return new HfJsTokenizer(
    engine,
    `hf-js:${parsed.source}`,
    parsed.fingerprint,
    parsed.bosToken,
    parsed.eosToken,
    proveSpaceSeams(parsed.tokenizerJson),
    deriveNonLegacyPrefix(parsed.tokenizerJson),
  );
}

class HfJsTokenizer implements SpaceSeamTokenizer, NonLegacyPrefixTokenizer {
  readonly vocabSize: number;

  constructor(
    private readonly engine: JsHfTokenizer,
    readonly name: string,
    readonly fingerprint: string,
    readonly bosToken: string | null,
    readonly eosToken: string | null,
    readonly spaceSeams: SpaceSeams | null,
    readonly nonLegacyPrefix: NonLegacyPrefix | null,
  ) {
    this.vocabSize = engine.get_vocab(true).size;
  }

  async encodeBatch(texts: readonly string[]): Promise<Int32Array[]> {
    const out: Int32Array[] = new Array<Int32Array>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && i % JS_BATCH_SIZE === 0) await yieldToEventLoop();
      const text = wellFormed(texts[i] as string);
      out[i] = Int32Array.from(this.engine.encode(text, { add_special_tokens: false }).ids);
    }
    return out;
  }

  tokenToId(token: string): number | null {
    return this.engine.token_to_id(token) ?? null;
  }
}

// A lone UTF-16 surrogate becomes U+FFFD when a string crosses into the native engine (as UTF-8);
// this engine would byte-encode it instead. Replacing it here keeps both engines' ids identical.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
