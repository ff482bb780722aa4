import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { IGNORE_LABEL, IMAGE_TOKEN_ID } from '../../lib/core/tokenize/tokenizer.js';
import { encodeConversations, encodePieces } from '../../lib/core/templates/encode-pieces.js';
import { sampleOf, SampleFlag } from '../../lib/core/templates/encoded-batch.js';
import { llavaPlainTemplate, renderPlain } from '../../lib/core/templates/llava-plain.js';
import { llavaVicunaV1Template, vicunaV1Prompt, VICUNA_V1_SYSTEM } from '../../lib/core/templates/llava-vicuna-v1.js';
import type { Template } from '../../lib/core/templates/pieces.js';
import { FakeTokenizer } from '../helpers/fake-tokenizer.js';

const conversation = (turns: Conversation['turns'], images = 1): Conversation => ({
  id: 's1',
  kind: 'conversation',
  images: Array.from({ length: images }, (_, i) => `img${i}.jpg`),
  turns,
});

// The first record of blip_laion_cc_sbu_558k.json, shortened caption.
const PRETRAIN = conversation([
  { role: 'user', text: 'Render a clear and concise summary of the photo.\n<image>' },
  { role: 'assistant', text: 'select luxury furniture' },
]);

const TWO_ROUNDS = conversation([
  { role: 'user', text: 'What is shown?\n<image>' },
  { role: 'assistant', text: 'A cat.' },
  { role: 'user', text: 'Color?' },
  { role: 'assistant', text: 'Black.' },
]);

async function encodeShown(template: Template, sample: Conversation, tokenizer: FakeTokenizer, maxLength?: number) {
  const batch = await encodeConversations([sample], template, tokenizer, maxLength === undefined ? {} : { maxLength });
  const { inputIds, labels } = sampleOf(batch, 0);
  return { batch, inputIds, labels, tokens: tokenizer.tokens(inputIds), labelTokens: tokenizer.tokens(labels) };
}

describe('plain (LLaVA preprocess_plain)', () => {
  it('is <image> + caption + "\\n": BOS and image masked, caption and newline trainable, instruction dropped, no EOS', async () => {
    const tokenizer = new FakeTokenizer();
    const shown = await encodeShown(llavaPlainTemplate(), PRETRAIN, tokenizer);
    expect(shown.tokens).toEqual(['<s>', '<image>', '▁select', '▁luxury', '▁furniture', '\n']);
    expect(shown.labelTokens).toEqual(['·', '·', '▁select', '▁luxury', '▁furniture', '\n']);
  });

  it('equals tokenizer_image_token assembled by hand: [BOS, -200] + tokenizer(caption + "\\n") without its BOS', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'first', prefixAsOwnToken: true });
    const shown = await encodeShown(llavaPlainTemplate(), PRETRAIN, tokenizer);
    const [chunk] = await tokenizer.encodeBatch(['select luxury furniture\n']);
    expect(Array.from(shown.inputIds)).toEqual([1, IMAGE_TOKEN_ID, ...chunk!]);
    expect(Array.from(shown.labels)).toEqual([IGNORE_LABEL, IGNORE_LABEL, ...chunk!]);
  });

  it('masks only the image when the tokenizer has no BOS (len(tokenizer_image_token("<image>")) = 1)', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'none', bosToken: null, eosToken: '<|endoftext|>', specials: ['<|endoftext|>'] });
    const shown = await encodeShown(llavaPlainTemplate(), PRETRAIN, tokenizer);
    expect(shown.tokens).toEqual(['<image>', 'select', '▁luxury', '▁furniture', '\n']);
    expect(shown.labelTokens).toEqual(['·', 'select', '▁luxury', '▁furniture', '\n']);
  });

  it('renders the pieces exactly: one call for caption + newline', () => {
    expect(renderPlain(PRETRAIN).pieces).toEqual([
      { kind: 'special', token: 'bos', trainable: false },
      { kind: 'image' },
      { kind: 'text', text: 'select luxury furniture\n', trainable: true },
    ]);
  });

  it('refuses what preprocess_plain asserts against, naming the sample', () => {
    const threeTurns = conversation([...TWO_ROUNDS.turns.slice(0, 3)]);
    expect(() => renderPlain(threeTurns)).toThrow(/conversation\["s1"\].*exactly one user turn then one assistant turn/);
    const noImage = conversation(
      [
        { role: 'user', text: 'Hi' },
        { role: 'assistant', text: 'Yo' },
      ],
      0,
    );
    expect(() => renderPlain(noImage)).toThrow(/exactly one <image>.*found 0/);
    const withSystem = conversation([{ role: 'system', text: 'Be nice.' }, ...PRETRAIN.turns]);
    expect(() => renderPlain(withSystem)).toThrow(InvalidInputError);
  });
});

describe('vicuna_v1 (LLaVA preprocess_v1)', () => {
  it('renders get_prompt() for SeparatorStyle.TWO exactly, image moved to the front of its turn', () => {
    const messages = TWO_ROUNDS.turns.map((t) => ({ ...t, text: t.text.replace('What is shown?\n<image>', '<image>\nWhat is shown?') }));
    expect(vicunaV1Prompt(VICUNA_V1_SYSTEM, messages)).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. " +
        'USER: <image>\nWhat is shown? ASSISTANT: A cat.</s>USER: Color? ASSISTANT: Black.</s>',
    );
    expect(
      vicunaV1Prompt('S.', [
        { role: 'user', text: 'Q' },
        { role: 'assistant', text: '' },
      ]),
    ).toBe('S. USER: Q ASSISTANT:');
  });

  it('trains exactly the answers and their </s> (legacy tokenizer: no round adjustment)', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'SYS.', legacy: true }), TWO_ROUNDS, tokenizer);
    expect(shown.tokens).toEqual([
      '<s>',
      '▁SYS.',
      '▁USER:',
      '▁',
      '<image>',
      '▁',
      '\n',
      'What',
      '▁is',
      '▁shown?',
      '▁ASSISTANT:',
      '▁A',
      '▁cat.',
      '</s>',
      '▁USER:',
      '▁Color?',
      '▁ASSISTANT:',
      '▁Black.',
      '</s>',
    ]);
    expect(shown.labelTokens).toEqual(['·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '▁A', '▁cat.', '</s>', '·', '·', '·', '▁Black.', '</s>']);
    expect(shown.batch.flags[0]).toBe(0);
  });

  it('applies the −1 per later round for a non-legacy tokenizer, which drops the ▁ after </s>', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'first', prefixAsOwnToken: true });
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'SYS.', legacy: false }), TWO_ROUNDS, tokenizer);
    expect(shown.tokens.slice(13)).toEqual(['▁cat.', '</s>', 'USER:', '▁Color?', '▁ASSISTANT:', '▁Black.', '</s>']);
    expect(shown.labelTokens.slice(11)).toEqual(['·', '▁A', '▁cat.', '</s>', '·', '·', '·', '▁Black.', '</s>']);
    expect(shown.batch.flags[0]).toBe(0);
  });

  it('masks the whole sample and reports "tokenization mismatch" when the legacy flag is wrong for the tokenizer', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'first', prefixAsOwnToken: true });
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'SYS.', legacy: true }), TWO_ROUNDS, tokenizer);
    expect(shown.labelTokens.every((t) => t === '·')).toBe(true);
    expect(shown.batch.flags[0]).toBe(SampleFlag.TokenizationMismatch | SampleFlag.NoTrainableTokens);
    expect(shown.batch.warnings).toEqual([{ sample: 0, id: 's1', message: 'tokenization mismatch: 21 vs. 20; whole sample masked, as LLaVA does' }]);
  });

  it('infers the legacy flag from the tokenizer when it is not given', async () => {
    for (const tokenizer of [
      new FakeTokenizer({ prefix: 'first', prefixAsOwnToken: true }),
      new FakeTokenizer({ prefix: 'always' }),
      new FakeTokenizer({ prefix: 'first' }),
    ]) {
      const shown = await encodeShown(llavaVicunaV1Template({ system: 'SYS.' }), TWO_ROUNDS, tokenizer);
      expect(shown.batch.flags[0]).toBe(0);
      expect(shown.labelTokens.filter((t) => t !== '·')).toEqual(['▁A', '▁cat.', '</s>', '▁Black.', '</s>']);
    }
  });

  it('skips the mismatch check once the cursor reaches model_max_length, as LLaVA does', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'first', prefixAsOwnToken: true });
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'SYS.', legacy: true }), TWO_ROUNDS, tokenizer, 16);
    expect(shown.batch.flags[0]).toBe(SampleFlag.Truncated);
    expect(shown.labelTokens).toEqual(['·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '·', '▁A', '▁cat.', '</s>', '·']);
  });

  it('masks a round whose question contains " ASSISTANT: " and everything after it (LLaVA breaks out of its loop)', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const tricky = conversation(
      [
        { role: 'user', text: 'Say " ASSISTANT: " please' },
        { role: 'assistant', text: 'No.' },
      ],
      0,
    );
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'S.', legacy: true }), tricky, tokenizer);
    expect(shown.batch.flags[0]! & SampleFlag.TokenizationMismatch).toBe(SampleFlag.TokenizationMismatch);
  });

  it('handles text-only samples with tokenizer(prompt) (one chunk) and skips one leading assistant turn', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const textOnly = conversation(
      [
        { role: 'assistant', text: 'Hello!' },
        { role: 'user', text: 'Hi' },
        { role: 'assistant', text: 'Yo' },
      ],
      0,
    );
    const shown = await encodeShown(llavaVicunaV1Template({ system: 'S.', legacy: true }), textOnly, tokenizer);
    expect(shown.tokens).toEqual(['<s>', '▁S.', '▁USER:', '▁Hi', '▁ASSISTANT:', '▁Yo', '</s>']);
    expect(shown.labelTokens).toEqual(['·', '·', '·', '·', '·', '▁Yo', '</s>']);
  });

  it('refuses turns that do not alternate', () => {
    const bad = conversation(
      [
        { role: 'user', text: 'a' },
        { role: 'user', text: 'b' },
      ],
      0,
    );
    expect(() => llavaVicunaV1Template().render(bad)).toThrow(/alternating.*turn 1 is user/);
  });
});

describe('encodePieces', () => {
  it('encodes each text piece with one call and labels per piece', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const { inputIds, labels } = await encodePieces(
      [
        { kind: 'special', token: 'bos', trainable: false },
        { kind: 'text', text: 'a b', trainable: false },
        { kind: 'image' },
        { kind: 'text', text: 'c', trainable: true },
        { kind: 'special', token: 'eos', trainable: true },
      ],
      tokenizer,
    );
    expect(tokenizer.tokens(inputIds)).toEqual(['<s>', '▁a', '▁b', '<image>', '▁c', '</s>']);
    expect(tokenizer.tokens(labels)).toEqual(['·', '·', '·', '·', '▁c', '</s>']);
  });
});
