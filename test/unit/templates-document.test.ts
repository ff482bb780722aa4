import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { IGNORE_LABEL, IMAGE_TOKEN_ID } from '../../lib/core/tokenize/tokenizer.js';
import { DOCUMENT_RULE_ID, renderDocument } from '../../lib/core/templates/document.js';
import { encodeConversations } from '../../lib/core/templates/encode-pieces.js';
import { sampleOf, SampleFlag } from '../../lib/core/templates/encoded-batch.js';
import { llavaPlainTemplate } from '../../lib/core/templates/llava-plain.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import { FakeTokenizer } from '../helpers/fake-tokenizer.js';

// An MMC4-style document as VILA joins it: "<image>" glued to its matched sentence.
const DOC: Conversation = {
  id: 'doc-7',
  kind: 'document',
  images: ['a.jpg', 'b.jpg'],
  turns: [
    { role: 'assistant', text: 'Our trip. <image>We saw a lake.' },
    { role: 'assistant', text: ' Then hills.<image>The end.' },
  ],
};

describe('documents (VILA LazyMMC4Dataset: labels = input_ids)', () => {
  it('renders BOS + the joined text split at images + EOS, everything trainable', () => {
    expect(renderDocument(DOC).pieces).toEqual([
      { kind: 'special', token: 'bos', trainable: true },
      { kind: 'text', text: 'Our trip. ', trainable: true },
      { kind: 'image' },
      { kind: 'text', text: 'We saw a lake. Then hills.', trainable: true },
      { kind: 'image' },
      { kind: 'text', text: 'The end.', trainable: true },
      { kind: 'special', token: 'eos', trainable: true },
    ]);
  });

  it('labels every text token, BOS and EOS with its id and images with IGNORE, whatever the template', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    for (const template of [llavaPlainTemplate(), resolveTemplate({ name: 'internlm2_chat' })]) {
      const batch = await encodeConversations([DOC], template, tokenizer);
      const { inputIds, labels } = sampleOf(batch, 0);
      expect(tokenizer.tokens(inputIds)).toEqual([
        '<s>',
        '▁Our',
        '▁trip.',
        '▁',
        '<image>',
        '▁We',
        '▁saw',
        '▁a',
        '▁lake.',
        '▁Then',
        '▁hills.',
        '<image>',
        '▁The',
        '▁end.',
        '</s>',
      ]);
      expect(Array.from(labels)).toEqual(Array.from(inputIds, (id) => (id === IMAGE_TOKEN_ID ? IGNORE_LABEL : id)));
      expect(batch.templateId).toBe(`${template.id}+${DOCUMENT_RULE_ID}`);
    }
  });

  it('truncates documents like any sample in truncate mode (ids, image = 1)', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const batch = await encodeConversations([DOC], llavaPlainTemplate(), tokenizer, { maxLength: 5 });
    expect(tokenizer.tokens(sampleOf(batch, 0).inputIds)).toEqual(['<s>', '▁Our', '▁trip.', '▁', '<image>']);
    expect(batch.flags[0]).toBe(SampleFlag.Truncated);
  });

  it('splits documents in split mode by effective length, each part framed with BOS/EOS, images whole', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const images: number[] = [];
    const batch = await encodeConversations([DOC], llavaPlainTemplate(), tokenizer, {
      maxLength: 12,
      overflow: 'split',
      imageTokens: (conversation, k) => (images.push(k), conversation.id === 'doc-7' ? 4 : 0),
    });
    const parts = [0, 1, 2].slice(0, batch.sourceIndex.length).map((i) => tokenizer.tokens(sampleOf(batch, i).inputIds));
    expect(parts).toEqual([
      ['<s>', '▁Our', '▁trip.', '▁', '<image>', '▁We', '▁saw', '▁a', '</s>'],
      ['<s>', '▁lake.', '▁Then', '▁hills.', '<image>', '▁The', '▁end.', '</s>'],
    ]);
    expect(Array.from(batch.sourceIndex)).toEqual([0, 0]);
    expect(Array.from(batch.flags)).toEqual([SampleFlag.SplitPart, SampleFlag.SplitPart]);
  });

  it('truncates conversations even in split mode', async () => {
    const tokenizer = new FakeTokenizer({ prefix: 'always' });
    const pair: Conversation = {
      id: 'c',
      kind: 'conversation',
      images: ['x.jpg'],
      turns: [
        { role: 'user', text: '<image>' },
        { role: 'assistant', text: 'one two three four' },
      ],
    };
    const batch = await encodeConversations([pair, DOC], llavaPlainTemplate(), tokenizer, { maxLength: 4, overflow: 'split', imageTokens: () => 1 });
    expect(tokenizer.tokens(sampleOf(batch, 0).inputIds)).toEqual(['<s>', '<image>', '▁one', '▁two']);
    expect(batch.flags[0]).toBe(SampleFlag.Truncated);
    expect(Array.from(batch.sourceIndex)).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
  });
});
