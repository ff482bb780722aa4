/**
 * Space seams: where text is cut (only next to markers, only where the seam rule allows), that the
 * cuts are bound only to tokenizers that prove AND pass the rule, and that an encoder cutting at
 * them gives the same ids, labels, flags and warnings as LLaVA's probing, on any conversation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { createTemplateEncoder } from '../../lib/core/templates/encode-pieces.js';
import { bindSpaceSeams, cutAtSpaceSeams, type SeamCutter } from '../../lib/core/templates/space-seam-cut.js';
import type { Segments } from '../../lib/core/templates/special-tokens.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import type { SpaceSeams, SpaceSeamTokenizer } from '../../lib/core/tokenize/space-seams.js';
import { FakeTokenizer, type FakeTokenizerOptions } from '../helpers/fake-tokenizer.js';

const SPACE_ID = 7;
const CUTTER: SeamCutter = { spaceId: SPACE_ID, addedTokens: ['<unk>', '<s>', '</s>'], markers: ['USER:', 'ASSISTANT:'] };

const cut = (text: string): Segments => {
  const out: Segments = [];
  cutAtSpaceSeams(text, CUTTER, out);
  return out;
};

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
    ['A chat. USER: Why? ASSISTANT: Because.', ['A chat.', 'USER:', 'Why?', 'ASSISTANT:', 'Because.']],
    ['\nWhat is it? ASSISTANT: A cat', ['\nWhat is it?', 'ASSISTANT:', 'A cat']],
    ['A chat. USER: ', ['A chat.', 'USER:', SPACE_ID]],
    ['q ASSISTANT:  two spaces', ['q', 'ASSISTANT:', ' two spaces']],
    ['USER: at the start', ['USER:', 'at the start']],
  ])('cuts %j around its markers', (text, parts) => {
    expect(cut(text)).toEqual(parts);
  });

  it.each<[string, Segments]>([
    ['ends in a space  ASSISTANT: a', ['ends in a space  ASSISTANT:', 'a']],
    ['ends in ▁ ASSISTANT: a', ['ends in ▁ ASSISTANT:', 'a']],
    ['xASSISTANT: a', ['xASSISTANT:', 'a']],
    ['ASSISTANT:a', ['ASSISTANT:a']],
    ['no markers at all', ['no markers at all']],
    ['has <s> ASSISTANT: a', ['has <s> ASSISTANT: a']],
    ['q <unk> ASSISTANT: a', ['q <unk> ASSISTANT: a']],
  ])('cuts %j only where the rule allows', (text, parts) => {
    expect(cut(text)).toEqual(parts);
  });

  it('gives non-empty parts that join back into the text, each cut after a seam character', () => {
    const piece = fc.constantFrom('USER:', 'ASSISTANT:', ' ', '  ', '▁', 'a', 'x?', '\n', 'é', '日本', ':', '<s>', '🦙');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')), (text) => {
        const parts = cut(text);
        const texts = parts.map((p) => (p === SPACE_ID ? '' : (p as string)));
        expect(texts.join(' ')).toBe(text);
        for (let k = 0; k < parts.length; k++) {
          const part = parts[k]!;
          if (part === SPACE_ID) {
            expect(k).toBe(parts.length - 1);
            continue;
          }
          expect(part).not.toBe('');
          if (k < parts.length - 1) expect(part).toMatch(/[^ ▁]$/u);
        }
      }),
      { seed: 20261123, numRuns: 2000 },
    );
  });
});

describe('bindSpaceSeams', () => {
  it('binds the markers when the tokenizer claims the rule and passes the probes', async () => {
    const fake = await claimingFake({ prefix: 'always' });
    expect(await bindSpaceSeams(fake, ['USER:', 'ASSISTANT:'])).toEqual({ ...fake.spaceSeams, markers: ['USER:', 'ASSISTANT:'] });
  });

  it('refuses a tokenizer without a claim, a claim the probes refute, and markers with spaces at their ends', async () => {
    expect(await bindSpaceSeams(new FakeTokenizer(), ['ASSISTANT:'])).toBeNull();
    // Byte-level BPE (no dummy prefix): `a b` is `a`, ` b`, not `a` ++ `b`.
    expect(await bindSpaceSeams(await claimingFake({ prefix: 'none' }), ['ASSISTANT:'])).toBeNull();
    const honest = await claimingFake({ prefix: 'always' });
    expect(await bindSpaceSeams(honest, [' ASSISTANT:'])).toBeNull();
    expect(await bindSpaceSeams(honest, ['ASSISTANT: '])).toBeNull();
    expect(await bindSpaceSeams(honest, [])).toBeNull();
  });
});

const TEXT = fc.constantFrom(
  'What is it?', ' leading', 'trailing ', 'two  spaces', 'ends with ASSISTANT:', 'has ASSISTANT: inside', 'USER: inside',
  'line\nbreak', '\n', '', ' ', '▁x▁', 'naïve 日本', '<s> bos', 'a</s>b', 'ASSISTANT: ', 'x <unk> y', '<image>', 'see <image> here',
);

/** Conversations with arbitrary (mostly alternating) roles and tricky texts. */
const conversationArb: fc.Arbitrary<Conversation> = fc
  .record({
    system: fc.option(TEXT, { nil: undefined }),
    leadingAssistant: fc.boolean(),
    texts: fc.array(fc.array(TEXT, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' ')), { minLength: 1, maxLength: 7 }),
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

  it('encodes fewer characters: the instruction probes cost nothing', async () => {
    const fake = await claimingFake({ prefix: 'always' });
    const conversations = fc.sample(conversationArb, { seed: 7, numRuns: 200 });
    const encodedChars = async (cutAtSpaceSeams: boolean): Promise<number> => {
      const encoder = await createTemplateEncoder(resolveTemplate({ name: 'vicuna_v1' }), fake, { cutAtSpaceSeams });
      await encoder.encode(conversations);
      return fake.lastTexts.reduce((sum, text) => sum + text.length, 0);
    };
    const [fast, probing] = [await encodedChars(true), await encodedChars(false)];
    expect(fast).toBeLessThan(probing * 0.8);
  });
});
