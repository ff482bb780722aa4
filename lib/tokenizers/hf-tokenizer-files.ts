/**
 * What both Hugging Face engines share: reading a `tokenizer.json` (+ optional
 * `tokenizer_config.json`) from bytes, naming the BOS/EOS tokens, and the fingerprint. Keeping this
 * out of the adapters guarantees the native and the pure-JS engine fingerprint the same files the
 * same way, so their outputs are interchangeable.
 */
import { CorruptArtifactError } from '../core/errors.js';
import { canonicalJson, sha256Hex } from '../core/fingerprint.js';

/** The files of one Hugging Face tokenizer, as bytes or text, and where they came from. */
export interface HfTokenizerFiles {
  /** Where the files came from (npm package, path, S3 key); used in names and error messages. */
  readonly source: string;
  /** Contents of `tokenizer.json`. */
  readonly tokenizerJson: Uint8Array | string;
  /** Contents of `tokenizer_config.json`, if there is one. */
  readonly tokenizerConfig?: Uint8Array | string | null;
}

/** A tokenizer.json that parsed, with everything an adapter needs besides the engine itself. */
export interface ParsedHfTokenizer {
  readonly source: string;
  /** The tokenizer.json text (the native engine parses it itself). */
  readonly tokenizerJsonText: string;
  /** The tokenizer.json as a plain object (the pure-JS engine takes this). */
  readonly tokenizerJson: Record<string, unknown>;
  /** The parsed tokenizer_config.json, or null without one. */
  readonly config: Record<string, unknown> | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly fingerprint: string;
}

/** Version of the fingerprint recipe in {@link parseHfTokenizerFiles}; bump it when what is hashed changes. */
const TOKENIZER_FINGERPRINT_VERSION = 1;

// Used only when neither the config nor the post-processor names a token; the first special added
// token with one of these names wins.
const CONVENTIONAL_BOS = ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'];
const CONVENTIONAL_EOS = ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>'];

/**
 * Parse and check the files, resolve BOS/EOS and compute the fingerprint: SHA-256 of a canonical
 * header holding the SHA-256 of the exact tokenizer.json bytes and the canonical config. The engine
 * is not part of it: both engines give the same ids (tested), so their outputs are interchangeable.
 */
export function parseHfTokenizerFiles(files: HfTokenizerFiles): ParsedHfTokenizer {
  const { source } = files;
  const jsonBytes = toBytes(files.tokenizerJson);
  const tokenizerJsonText = toText(files.tokenizerJson, `${source} tokenizer.json`);
  const tokenizerJson = parseJsonObject(tokenizerJsonText, `${source} tokenizer.json`);
  const model = tokenizerJson['model'];
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new CorruptArtifactError(
      `${source} tokenizer.json`,
      'has no "model" object; expected a Hugging Face tokenizers file (tokenizer.json, not tokenizer_config.json or a SentencePiece .model)',
    );
  }
  const configBytes = files.tokenizerConfig;
  const configArtifact = `${source} tokenizer_config.json`;
  const config = configBytes == null ? null : parseJsonObject(toText(configBytes, configArtifact), configArtifact);
  const header = canonicalJson({
    kind: 'megashard.tokenizer.fingerprint',
    version: TOKENIZER_FINGERPRINT_VERSION,
    tokenizerJsonSha256: sha256Hex(jsonBytes),
    config,
  });
  return {
    source,
    tokenizerJsonText,
    tokenizerJson,
    config,
    bosToken: resolveSpecialToken(config, 'bos_token', tokenizerJson, 'first', CONVENTIONAL_BOS),
    eosToken: resolveSpecialToken(config, 'eos_token', tokenizerJson, 'last', CONVENTIONAL_EOS),
    fingerprint: sha256Hex(header),
  };
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

function toText(data: Uint8Array | string, artifact: string): string {
  if (typeof data === 'string') return data;
  try {
    // fatal: a tokenizer file that is not UTF-8 is corrupt; replacing its bytes would hide that.
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new CorruptArtifactError(artifact, 'is not valid UTF-8 text; expected a JSON file');
  }
}

function parseJsonObject(text: string, artifact: string): Record<string, unknown> {
  if (text.trim() === '') throw new CorruptArtifactError(artifact, 'is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptArtifactError(artifact, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptArtifactError(artifact, 'is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * The config's name for a special token wins, even when it is null (Qwen has no BOS). Without a
 * config entry, fall back to the post-processor's template (the token it adds first or last), then
 * to a conventional name among the special added tokens.
 */
function resolveSpecialToken(
  config: Record<string, unknown> | null,
  key: 'bos_token' | 'eos_token',
  tokenizerJson: Record<string, unknown>,
  end: 'first' | 'last',
  conventional: readonly string[],
): string | null {
  if (config !== null && key in config) return tokenContent(config[key]);
  const fromTemplate = templateSpecialToken(tokenizerJson['post_processor'], end);
  if (fromTemplate !== null) return fromTemplate;
  const specials = new Set(addedSpecialTokens(tokenizerJson['added_tokens']));
  return conventional.find((name) => specials.has(name)) ?? null;
}

// Configs name a token as a plain string or, in older files, as {"__type": "AddedToken", "content": …}.
function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return null;
}

function templateSpecialToken(processor: unknown, end: 'first' | 'last'): string | null {
  if (typeof processor !== 'object' || processor === null) return null;
  const p = processor as { type?: unknown; processors?: unknown; single?: unknown; special_tokens?: unknown };
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    for (const inner of p.processors) {
      const found = templateSpecialToken(inner, end);
      if (found !== null) return found;
    }
    return null;
  }
  if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single) || p.single.length === 0) return null;
  const piece = (end === 'first' ? p.single[0] : p.single[p.single.length - 1]) as { SpecialToken?: { id?: unknown } };
  const id = piece?.SpecialToken?.id;
  if (typeof id !== 'string') return null;
  // The template names an entry of special_tokens; the token text is that entry's first token.
  const entry = (p.special_tokens as Record<string, { tokens?: unknown }> | undefined)?.[id];
  const tokens = entry?.tokens;
  return Array.isArray(tokens) && typeof tokens[0] === 'string' ? tokens[0] : id;
}

function addedSpecialTokens(addedTokens: unknown): string[] {
  if (!Array.isArray(addedTokens)) return [];
  return addedTokens.flatMap((t: unknown) => {
    const token = t as { content?: unknown; special?: unknown };
    return token.special === true && typeof token.content === 'string' ? [token.content] : [];
  });
}
