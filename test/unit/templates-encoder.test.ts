import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { createTemplateEncoder, encodeConversations } from '../../lib/core/templates/encode-pieces.js';
import type { EncodedBatch } from '../../lib/core/templates/encoded-batch.js';
import { splitAtSpecialTokens, verifyIsolatedSpecialTokens, type Segments } from '../../lib/core/templates/special-tokens.js';
import { resolveTemplate, TEMPLATE_NAMES } from '../../lib/core/templates/template-registry.js';
import { FakeTokenizer, type FakeTokenizerOptions } from '../helpers/fake-tokenizer.js';

const CHAT_SPECIALS = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
const fake = (options: FakeTokenizerOptions = {}): FakeTokenizer => new FakeTokenizer({ specials: CHAT_SPECIALS, ...options });

const captionSample = (i: number, instruction: string): Conversation => ({
  id: `p${i}`,
  kind: 'conversation',
  images: ['x.jpg'],
  turns: [
    { role: 'user', text: `${instruction}\n<image>` },
    { role: 'assistant', text: `caption number ${i}` },
  ],
});

describe('fake tokenizer (the test double itself)', () => {
  it('shows the three dummy-prefix behaviours and cuts specials out first', () => {
    const text = 'Hi there</s>USER: x';
    const legacy = fake({ prefix: 'always' });
    expect(legacy.tokens(legacy.encodeOne(text))).toEqual(['▁Hi', '▁there', '</s>', '▁USER:', '▁x']);
    const first = fake({ prefix: 'first' });
    expect(first.tokens(first.encodeOne(text))).toEqual(['▁Hi', '▁there', '</s>', 'USER:', '▁x']);
    const none = fake({ prefix: 'none' });
    expect(none.tokens(none.encodeOne('\nWhat'))).toEqual(['\n', 'What']);
    const always = fake({ prefix: 'always' });
    expect(always.tokens(always.encodeOne('\nWhat'))).toEqual(['▁', '\n', 'What']);
  });
});

describe('special-token isolation', () => {
  it('is verified for byte-level and legacy SentencePiece behaviour, refused for prefix-first and lstrip', async () => {
    const tokens = ['<|im_start|>', '<|im_end|>', '<|not_a_token|>'];
    expect([...(await verifyIsolatedSpecialTokens(fake({ prefix: 'none' }), tokens)).keys()]).toEqual(['<|im_start|>', '<|im_end|>']);
    expect([...(await verifyIsolatedSpecialTokens(fake({ prefix: 'always' }), tokens)).keys()]).toEqual(['<|im_start|>', '<|im_end|>']);
    expect((await verifyIsolatedSpecialTokens(fake({ prefix: 'first' }), tokens)).size).toBe(0);
    const lstrip = fake({ prefix: 'none', lstrip: ['<|im_end|>'] });
    expect([...(await verifyIsolatedSpecialTokens(lstrip, tokens)).keys()]).toEqual(['<|im_start|>']);
  });

  it('cuts leftmost first, longest at a tie, and drops empty sections', () => {
    const out: Segments = [];
    const tokens = new Map([
      ['<a>', 1],
      ['<a><b>', 2],
      ['<b>', 3],
    ]);
    splitAtSpecialTokens('x<a><b>y<b><a>', tokens, out);
    expect(out).toEqual(['x', 2, 'y', 3, 1]);
  });

  it('gives the same ids and labels as encoding every piece whole, for every template and tokenizer behaviour', async () => {
    const word = fc.constantFrom('a', 'b c', ' d', '\n', 'e\n', '<|im_end|>', '</s>', '<s>', '<|eot_id|>', 'f ', '<image>', 'USER:', ' ASSISTANT: ');
    const text = fc.array(word, { maxLength: 6 }).map((words) => words.join(''));
    const turns = fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 });
    const behaviour = fc.record({
      prefix: fc.constantFrom('always', 'first', 'none' as const),
      prefixAsOwnToken: fc.boolean(),
      lstrip: fc.constantFrom([], ['<|im_end|>'], ['</s>', '<|eot_id|>']),
    });
    await fc.assert(
      fc.asyncProperty(turns, behaviour, fc.constantFrom(...TEMPLATE_NAMES.filter((n) => n !== 'plain')), async (pairs, options, name) => {
        const conversation: Conversation = {
          id: 'prop',
          kind: 'conversation',
          images: [],
          turns: pairs.flatMap(([q, a]) => [
            { role: 'user' as const, text: q },
            { role: 'assistant' as const, text: a },
          ]),
        };
        const template = resolveTemplate({ name });
        const split = await encodeConversations([conversation], template, fake(options));
        const whole = await encodeConversations([conversation], template, fake(options), { splitAtSpecialTokens: false });
        expect(Array.from(split.inputIds)).toEqual(Array.from(whole.inputIds));
        expect(Array.from(split.labels)).toEqual(Array.from(whole.labels));
        expect(Array.from(split.flags)).toEqual(Array.from(whole.flags));
      }),
      { numRuns: 150 },
    );
  });
});

describe('batching and caching', () => {
  it('makes one encodeBatch call per batch, encodes repeated texts once, constants never again, packed', async () => {
    const tokenizer = fake({ prefix: 'always' });
    const encoder = await createTemplateEncoder(resolveTemplate({ name: 'internlm2_chat' }), tokenizer);
    const setupCalls = tokenizer.calls;
    const instructions = ['Describe.', 'Summarise.'];
    const batch = await encoder.encode(Array.from({ length: 100 }, (_, i) => captionSample(i, instructions[i % 2]!)));
    expect(tokenizer.calls - setupCalls).toBe(1);
    expect(tokenizer.lastTexts.join('</s>').split('</s>')).toHaveLength(102);
    await encoder.encode([captionSample(0, 'Describe.')]);
    // "<|im_start|>user\n", "\n" and "assistant\n" are cached constants; the two new texts are
    // joined by the isolated EOS into one.
    expect(tokenizer.lastTexts).toEqual(['\nDescribe.</s>caption number 0']);
    expect(batch.offsets.length).toBe(101);
    expect(encoder.isolatedSpecialTokens).toEqual(['<|im_start|>', '<|im_end|>', '</s>', '<s>']);
  });

  it('unpacks a pack whose seams do not come back by encoding its texts one by one', async () => {
    const tokenizer = fake({ prefix: 'none' });
    const real = tokenizer.encodeBatch.bind(tokenizer);
    // A tokenizer that (wrongly) drops the separator id when a text ends in "!" would corrupt packs.
    tokenizer.encodeBatch = async (texts) => (await real(texts)).map((ids, i) => (texts[i]!.includes('!</s>') ? ids.filter((id) => id !== 2) : ids));
    const samples = [captionSample(0, 'Hey!'), captionSample(1, 'Hi.')];
    const template = resolveTemplate({ name: 'internlm2_chat' });
    const packed = await encodeConversations(samples, template, tokenizer);
    const whole = await encodeConversations(samples, template, fake({ prefix: 'none' }), { splitAtSpecialTokens: false });
    expect(Array.from(packed.inputIds)).toEqual(Array.from(whole.inputIds));
    // Probe, constants, the packs, then the fallback for the broken pack.
    expect(tokenizer.calls).toBe(4);
  });

  it('encodes an empty list to an empty batch', async () => {
    const batch = await encodeConversations([], resolveTemplate({ name: 'plain' }), fake());
    expect([batch.inputIds.length, Array.from(batch.offsets), batch.sourceIndex.length]).toEqual([0, [0], 0]);
  });

  it('produces the same batch whether samples are encoded together or one by one', async () => {
    const samples = Array.from({ length: 7 }, (_, i) => captionSample(i, i % 3 === 0 ? 'Look.' : 'See.'));
    const template = resolveTemplate({ name: 'vicuna_v1', legacy: true });
    const together = await encodeConversations(samples, template, fake());
    const alone: EncodedBatch[] = [];
    for (const sample of samples) alone.push(await encodeConversations([sample], template, fake()));
    expect(Array.from(together.inputIds)).toEqual(alone.flatMap((b) => Array.from(b.inputIds)));
    expect(Array.from(together.labels)).toEqual(alone.flatMap((b) => Array.from(b.labels)));
  });

  it('fails with advice when the tokenizer lacks a token the template needs', async () => {
    const noEos = fake({ eosToken: null });
    await expect(encodeConversations([captionSample(0, 'x')], resolveTemplate({ name: 'xtuner_vicuna' }), noEos)).rejects.toThrow(
      /needs token "eos" but fake:always has none/,
    );
    const plainLlama = new FakeTokenizer();
    await expect(
      encodeConversations([captionSample(0, 'x')], resolveTemplate({ name: 'llama3' }), plainLlama, { splitAtSpecialTokens: false }),
    ).resolves.toBeDefined();
    await expect(createTemplateEncoder(resolveTemplate({ name: 'plain' }), plainLlama, { overflow: 'split' })).rejects.toThrow(InvalidInputError);
  });
});
