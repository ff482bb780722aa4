/**
 * Space seams: where text is cut (only where the seam rule allows), the word table behind it, that
 * the cuts are bound only to tokenizers that prove AND pass the rule, and that an encoder cutting
 * at them gives the same ids, labels, flags and warnings as LLaVA's probing, on any conversation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { createTemplateEncoder } from '../../lib/core/templates/encode-pieces.js';
import { bindSpaceSeams, cutAtSpaceSeams } from '../../lib/core/templates/space-seam-cut.js';
import type { Segments } from '../../lib/core/templates/special-tokens.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import { TextTable } from '../../lib/core/templates/text-table.js';
import { WordIndex } from '../../lib/core/templates/word-index.js';
import type { SpaceSeams, SpaceSeamTokenizer } from '../../lib/core/tokenize/space-seams.js';
import { FakeTokenizer, type FakeTokenizerOptions } from '../helpers/fake-tokenizer.js';

const SPACE_ID = 7;
const SEAMS: SpaceSeams = { spaceId: SPACE_ID, addedTokens: ['<unk>', '<s>', '</s>'] };

/** The fake tokenizer with a space-seams claim attached (true for `always`, false for `none`). */
class SeamClaimingFake extends FakeTokenizer implements SpaceSeamTokenizer {
  spaceSeams: SpaceSeams | null = null;
}

async function claimingFake(options: FakeTokenizerOptions): Promise<SeamClaimingFake> {
  const fake = new SeamClaimingFake(options);
  // The fake's lone-space token, as `a ` encodes it after `a`.
  const [ids] = await fake.encodeBatch(['a ']);
  fake.spaceSeams = { spaceId: ids![ids!.length - 1]!, addedTokens: ['<unk>', '<s>', '</s>'] };
  return fake;
}

describe('cutAtSpaceSeams', () => {
  it.each<[string, Segments]>([
    ['A chat. USER: Why? ASSISTANT: Because.', ['A', 'chat.', 'USER:', 'Why?', 'ASSISTANT:', 'Because.']],
    ['\nWhat is it? ASSISTANT: ', ['\nWhat', 'is', 'it?', 'ASSISTANT:', SPACE_ID]],
    ['two  spaces', ['two', ' spaces']],
    ['ends in spaces  ', ['ends', 'in', 'spaces', ' ']],
    ['a ▁ b', ['a', '▁ b']],
    ['line\n next', ['line\n', 'next']],
  ])('cuts %j at its space seams', (text, parts) => {
    expect(cutAtSpaceSeams(text, SEAMS)).toEqual(parts);
  });

  it.each(['one', ' ', '  ', ' leading', '▁ x', 'has <s> a space', 'x <unk> y', 'a</s> b'])('leaves %j whole', (text) => {
    expect(cutAtSpaceSeams(text, SEAMS)).toEqual([]);
  });

  it('gives non-empty words that join back into the text, each cut after a seam character', () => {
    const piece = fc.constantFrom('USER:', 'ASSISTANT:', ' ', '  ', '▁', 'a', 'x?', '\n', 'é', '日本', ':', '🦙');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')),
        (text) => {
          const parts = cutAtSpaceSeams(text, SEAMS);
          if (parts.length === 0) {
            expect(/[^ ▁] /u.test(text.slice(0, -1)) || /[^ ▁] $/u.test(text)).toBe(false);
            return;
          }
          const texts = parts.map((p) => (p === SPACE_ID ? '' : (p as string)));
          expect(texts.join(' ')).toBe(text);
          parts.forEach((part, k) => {
            if (part === SPACE_ID) return expect(k).toBe(parts.length - 1);
            expect(part).not.toBe('');
            if (k < parts.length - 1) expect(part).toMatch(/[^ ▁]$/u);
          });
        },
      ),
      { seed: 20261123, numRuns: 2000 },
    );
  });
});

describe('WordIndex', () => {
  it('finds words by a range of a longer text, like a Map of the sliced words', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat(5), fc.nat(5)), { maxLength: 3000 }), (entries) => {
        const index = new WordIndex();
        const reference = new Map<string, number>();
        for (const [word, left, right] of entries) {
          const text = 'x'.repeat(left) + word + 'y'.repeat(right);
          const value = index.lookupOrAdd(text, left, left + word.length, (w) => {
            expect(w).toBe(word);
            return reference.size;
          });
          if (!reference.has(word)) reference.set(word, value);
          expect(value).toBe(reference.get(word));
        }
      }),
      { seed: 5, numRuns: 50 },
    );
  });
});

describe('TextTable with space seams', () => {
  it('gives a cut text the concatenated ids of its words, and encodes each word once', () => {
    const table = new TextTable(new Map([['USER:', Int32Array.of(100, 101)]]), SEAMS);
    const slots = ['USER: the cat ', 'the cat sat', 'USER: the cat '].map((text) => table.slot(text));
    expect(slots[2]).toBe(slots[0]);
    const pending = table.takePending();
    expect(pending.texts).toEqual(['the', 'cat', 'sat']);
    table.fill(pending, [Int32Array.of(1), Int32Array.of(2, 3), Int32Array.of(4)]);
    const idsOf = (slot: number, room = table.length(slot)): number[] => {
      const target = new Int32Array(room);
      expect(table.copyIds(slot, target, 0)).toBe(room);
      return Array.from(target);
    };
    expect(idsOf(slots[0]!)).toEqual([100, 101, 1, 2, 3, SPACE_ID]);
    expect(idsOf(slots[1]!)).toEqual([1, 2, 3, 4]);
    expect(idsOf(slots[1]!, 3)).toEqual([1, 2, 3]); // only what fits: truncation
  });
});

describe('bindSpaceSeams', () => {
  it('binds the seams when the tokenizer claims the rule and passes the probes', async () => {
    const fake = await claimingFake({ prefix: 'always' });
    expect(await bindSpaceSeams(fake)).toEqual(fake.spaceSeams);
  });

  it('refuses a tokenizer without a claim, and a claim the probes refute', async () => {
    expect(await bindSpaceSeams(new FakeTokenizer())).toBeNull();
    // Byte-level BPE (no dummy prefix): `a b` is `a`, ` b`, not `a` ++ `b`.
    expect(await bindSpaceSeams(await claimingFake({ prefix: 'none' }))).toBeNull();
  });
});

const TEXT = fc.constantFrom(
  'What is it?',
  ' leading',
  'trailing ',
  'two  spaces',
  'ends with ASSISTANT:',
  'has ASSISTANT: inside',
  'USER: inside',
  'line\nbreak',
  '\n',
  '',
  ' ',
  '▁x▁',
  'naïve 日本',
  '<s> bos',
  'a</s>b',
  'ASSISTANT: ',
  'x <unk> y',
  '<image>',
  'see <image> here',
);

/** Conversations with arbitrary (mostly alternating) roles and tricky texts. */
const conversationArb: fc.Arbitrary<Conversation> = fc
  .record({
    system: fc.option(TEXT, { nil: undefined }),
    leadingAssistant: fc.boolean(),
    texts: fc.array(
      fc.array(TEXT, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' ')),
      { minLength: 1, maxLength: 7 },
    ),
  })
  .map(({ system, leadingAssistant, texts }) => {
    const turns: Array<Conversation['turns'][number]> = [];
    if (system !== undefined) turns.push({ role: 'system', text: system });
    if (leadingAssistant) turns.push({ role: 'assistant', text: 'Hello.' });
    texts.forEach((text, i) => turns.push({ role: i % 2 === 0 ? 'user' : 'assistant', text }));
    const images = turns.reduce((n, t) => n + t.text.split('<image>').length - 1, 0);
    return { id: 'p', kind: 'conversation' as const, turns, images: Array.from({ length: images }, () => 'x.jpg') };
  });

describe('vicuna_v1 cutting at space seams', () => {
  it.each(['always', 'first'] as const)('gives the probing path’s ids, labels, flags and warnings (fake tokenizer, prefix %s)', async (prefix) => {
    const fake = await claimingFake({ prefix });
    for (const legacy of [undefined, true, false]) {
      for (const maxLength of [undefined, 24]) {
        const template = resolveTemplate({ name: 'vicuna_v1', legacy });
        const fast = await createTemplateEncoder(template, fake, { maxLength });
        const probing = await createTemplateEncoder(template, fake, { maxLength, cutAtSpaceSeams: false });
        const conversations = fc.sample(conversationArb, { seed: 42, numRuns: 300 });
        const [a, b] = [await fast.encode(conversations), await probing.encode(conversations)];
        expect(Array.from(a.inputIds)).toEqual(Array.from(b.inputIds));
        expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
        expect(Array.from(a.offsets)).toEqual(Array.from(b.offsets));
        expect(Array.from(a.flags)).toEqual(Array.from(b.flags));
        expect(a.warnings).toEqual(b.warnings);
      }
    }
  });

  it('encodes fewer characters: instruction probes and repeated words cost nothing', async () => {
    const fake = await claimingFake({ prefix: 'always' });
    const conversations = fc.sample(conversationArb, { seed: 7, numRuns: 200 });
    const encodedChars = async (cutAtSpaceSeams: boolean): Promise<number> => {
      const encoder = await createTemplateEncoder(resolveTemplate({ name: 'vicuna_v1' }), fake, { cutAtSpaceSeams });
      await encoder.encode(conversations);
      return fake.lastTexts.reduce((sum, text) => sum + text.length, 0);
    };
    const [fast, probing] = [await encodedChars(true), await encodedChars(false)];
    expect(fast).toBeLessThan(probing * 0.5);
  });
});
