import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import type { Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import {
  llama2TokenizerConfigJson,
  llama2TokenizerJson,
  loadNpmTokenizer,
  loadTokenizerFromFiles,
  NATIVE_BATCH_SIZE,
  NPM_TOKENIZER_NAMES,
  npmTokenizerFiles,
  TOKENIZER_ENGINES,
  type TokenizerEngine,
} from '../../lib/tokenizers/index.js';

// Pinned so that any change to the generated file (and so to every llama2 output key) is deliberate.
const LLAMA2_TOKENIZER_JSON_SHA256 = 'e3164d530e8b84a8e74f1426acf9a95d3c1b189874a565d5e2d9413b03e9a13a';
const LLAMA2_FINGERPRINT = '9315a31d3c2a03c8e8ba0fbd94dc14c149040e4a3866a576f313b3e8f9c913f8';

const ids = async (tokenizer: Tokenizer, text: string): Promise<number[]> => [...((await tokenizer.encodeBatch([text]))[0] ?? [])];

describe('npm tokenizers (native engine)', () => {
  const tok: Record<string, Tokenizer> = {};
  beforeAll(async () => {
    for (const name of ['llama2', 'llama3', 'qwen3']) tok[name] = await loadNpmTokenizer(name);
  });
  const get = (name: string): Tokenizer => tok[name] as Tokenizer;

  it('registers exactly the shipped names, and Vicuna-v1.5 is LLaMA-2', async () => {
    expect([...NPM_TOKENIZER_NAMES].sort()).toEqual(['llama2', 'llama3', 'qwen3', 'vicuna-v1.5']);
    const vicuna = await loadNpmTokenizer('vicuna-v1.5');
    expect(vicuna.fingerprint).toBe(get('llama2').fingerprint);
  });

  it('knows the reference ids of LLaMA-2 (not Mistral: ▁Hello 15043, ▁world 3186, ▁ 29871)', async () => {
    const llama2 = get('llama2');
    expect(await ids(llama2, 'Hello world')).toEqual([15043, 3186]);
    expect(llama2.tokenToId('<unk>')).toBe(0);
    expect(llama2.tokenToId('<s>')).toBe(1);
    expect(llama2.tokenToId('</s>')).toBe(2);
    expect(llama2.tokenToId('▁')).toBe(29871);
    expect(llama2.tokenToId('no such token')).toBeNull();
    expect(llama2.vocabSize).toBe(32_000);
    expect([llama2.bosToken, llama2.eosToken]).toEqual(['<s>', '</s>']);
  });

  // llama-tokenizer-js's own test vectors (its defaultTests), with its BOS (1) removed.
  it.each([
    ['grabbed', [2646, 1327, 287]],
    [' grabbed', [29871, 2646, 1327, 287]],
    ['           grabbed', [9651, 2646, 1327, 287]],
    ['\n', [29871, 13]],
    [' \n', [259, 13]],
    ['\ttabs\t\t\t\tout here', [29871, 12, 21175, 12, 12, 12, 12, 449, 1244]],
    ['ax\n####\nboo', [4853, 13, 4136, 13, 833, 29877]],
    ['镇', [29871, 30411]],
    ['🦙', [29871, 243, 162, 169, 156]],
    ['🦙Ꙋ', [29871, 243, 162, 169, 156, 237, 156, 141]],
    ['Ꙋ🦙', [29871, 237, 156, 141, 243, 162, 169, 156]],
  ])('gives LLaMA-2 ids of the llama-tokenizer-js vector %j', async (text, expected) => {
    expect(await ids(get('llama2'), text)).toEqual(expected);
  });

  it('knows the reference ids of LLaMA-3 and Qwen3', async () => {
    const [llama3, qwen3] = [get('llama3'), get('qwen3')];
    expect(await ids(llama3, 'Hello world')).toEqual([9906, 1917]);
    expect(llama3.tokenToId('<|eot_id|>')).toBe(128_009);
    expect(llama3.tokenToId('<|begin_of_text|>')).toBe(128_000);
    expect(llama3.vocabSize).toBe(128_256);
    expect([llama3.bosToken, llama3.eosToken]).toEqual(['<|begin_of_text|>', '<|end_of_text|>']);
    expect(await ids(qwen3, 'Hello world')).toEqual([9707, 1879]);
    expect([qwen3.tokenToId('<|endoftext|>'), qwen3.tokenToId('<|im_start|>'), qwen3.tokenToId('<|im_end|>')]).toEqual([151_643, 151_644, 151_645]);
    expect(qwen3.vocabSize).toBe(151_669);
    expect([qwen3.bosToken, qwen3.eosToken]).toEqual([null, '<|im_end|>']);
  });

  it('maps special-token strings inside a text to their ids and adds none of its own', async () => {
    const llama3 = get('llama3');
    const [hi, there] = [await ids(llama3, 'Hi'), await ids(llama3, 'there')];
    expect(await ids(llama3, 'Hi<|eot_id|>there')).toEqual([...hi, 128_009, ...there]);
    expect(await ids(get('qwen3'), '<|im_start|>user\nhi<|im_end|>\n')).toEqual([151_644, 872, 198, 6023, 151_645, 198]);
    expect(await ids(get('llama2'), 'Hello</s>')).toEqual([15043, 2]);
    // LLaMA-2's legacy tokenizer.json: the text after a special token gets its own "▁" (▁b = 289).
    expect(await ids(get('llama2'), 'a</s>b')).toEqual([263, 2, 289]);
  });

  it('encodes an empty batch and the empty string', async () => {
    for (const name of ['llama2', 'llama3', 'qwen3']) {
      expect(await get(name).encodeBatch([])).toEqual([]);
      const [empty] = await get(name).encodeBatch(['']);
      expect(empty).toBeInstanceOf(Int32Array);
      expect(empty?.length).toBe(0);
    }
  });

  it('keeps order across native batches: one call equals every text encoded alone', async () => {
    const llama3 = get('llama3');
    const texts = Array.from({ length: NATIVE_BATCH_SIZE * 2 + 7 }, (_, i) => `text ${i} ${'x'.repeat(i % 13)}`);
    const together = await llama3.encodeBatch(texts);
    expect(together).toHaveLength(texts.length);
    for (const i of [0, NATIVE_BATCH_SIZE - 1, NATIVE_BATCH_SIZE, texts.length - 1]) {
      expect([...(together[i] ?? [])]).toEqual(await ids(llama3, texts[i] as string));
    }
  });

  it('fingerprints are stable, engine-independent and differ across tokenizers', async () => {
    const again = await loadNpmTokenizer('llama2', { engine: 'js' });
    expect(again.fingerprint).toBe(LLAMA2_FINGERPRINT);
    expect(get('llama2').fingerprint).toBe(LLAMA2_FINGERPRINT);
    expect((await loadNpmTokenizer('llama3')).fingerprint).toBe(get('llama3').fingerprint);
    const prints = ['llama2', 'llama3', 'qwen3'].map((n) => get(n).fingerprint);
    expect(new Set(prints).size).toBe(3);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('generated LLaMA-2 tokenizer.json', () => {
  it('is deterministic and pinned', () => {
    expect(sha256Hex(llama2TokenizerJson())).toBe(LLAMA2_TOKENIZER_JSON_SHA256);
  });

  it('has the shape of the HF LLaMA-2 file: byte-fallback BPE, SentencePiece normalizer, special 0/1/2', () => {
    const json = JSON.parse(llama2TokenizerJson()) as Record<string, any>;
    expect(json.model.type).toBe('BPE');
    expect(json.model.byte_fallback).toBe(true);
    expect(Object.keys(json.model.vocab)).toHaveLength(32_000);
    expect(json.model.vocab['▁Hello']).toBe(15043);
    expect(json.model.vocab['<0x0A>']).toBe(13);
    expect(json.model.merges[0]).toEqual(['▁', 't']);
    expect(json.normalizer.normalizers.map((n: { type: string }) => n.type)).toEqual(['Prepend', 'Replace']);
    expect(json.added_tokens.map((t: { id: number; content: string; special: boolean }) => [t.id, t.content, t.special])).toEqual([
      [0, '<unk>', true],
      [1, '<s>', true],
      [2, '</s>', true],
    ]);
    expect(JSON.parse(llama2TokenizerConfigJson())).toMatchObject({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' });
  });
});

describe('loadTokenizerFromFiles', () => {
  it('loads user bytes like the npm files, and the config is part of the fingerprint', async () => {
    const files = await npmTokenizerFiles('llama2');
    const bytes = new TextEncoder().encode(files.tokenizerJson as string);
    const withConfig = await loadTokenizerFromFiles(bytes, files.tokenizerConfig, 'native', 's3://bucket/llama2/tokenizer.json');
    expect(withConfig.fingerprint).toBe(LLAMA2_FINGERPRINT);
    expect(withConfig.name).toContain('s3://bucket/llama2/tokenizer.json');
    const bare = await loadTokenizerFromFiles(bytes);
    expect(bare.fingerprint).not.toBe(LLAMA2_FINGERPRINT);
    // Without a config, BOS comes from the post-processor's template and EOS from the added tokens.
    expect([bare.bosToken, bare.eosToken]).toEqual(['<s>', '</s>']);
    expect(await ids(bare, 'Hello world')).toEqual([15043, 3186]);
  });

  it.each(TOKENIZER_ENGINES)('names the source of a missing or invalid tokenizer.json (%s engine)', async (engine: TokenizerEngine) => {
    const source = 's3://bucket/model/tokenizer.json';
    const load = (json: Uint8Array | string, config?: string): Promise<Tokenizer> => loadTokenizerFromFiles(json, config, engine, source);
    await expect(load(new Uint8Array())).rejects.toThrow(CorruptArtifactError);
    await expect(load(new Uint8Array())).rejects.toThrow(/s3:\/\/bucket\/model\/tokenizer\.json tokenizer\.json: is empty/);
    await expect(load('{"model": ')).rejects.toThrow(/s3:\/\/bucket.*is not valid JSON/);
    await expect(load(new Uint8Array([0x7b, 0xff, 0x7d]))).rejects.toThrow(/is not valid UTF-8/);
    await expect(load('[1, 2]')).rejects.toThrow(/is not a JSON object/);
    await expect(load('{"version": "1.0"}')).rejects.toThrow(/has no "model" object/);
    await expect(load('{"model": {"type": "BPE"}}')).rejects.toThrow(new RegExp(`${engine === 'native' ? 'native' : 'pure-JS'} tokenizers engine rejected it`));
    await expect(load(llama2TokenizerJson(), '{not json')).rejects.toThrow(/tokenizer_config\.json: is not valid JSON/);
  });

  it('rejects an unknown npm name or engine, saying what to use', async () => {
    await expect(loadNpmTokenizer('mistral')).rejects.toThrow(InvalidInputError);
    await expect(loadNpmTokenizer('mistral')).rejects.toThrow(/use one of: llama3, qwen3, llama2, vicuna-v1\.5/);
    await expect(loadNpmTokenizer('toString')).rejects.toThrow(InvalidInputError);
    await expect(loadNpmTokenizer('llama2', { engine: 'gpu' as TokenizerEngine })).rejects.toThrow(/engine: "gpu" is unknown; use one of: native, js/);
  });
});
