/**
 * The space-seam proof reads only what decides the rule: the legacy LLaMA normalizer, no
 * pre-tokenizer, a plain BPE model, `▁` in the vocabulary, merges that never join across a
 * (not `▁`) | (`▁`) seam, and added tokens that normalization cannot create. Anything else: null.
 */
import { describe, expect, it } from 'vitest';
import { proveSpaceSeams } from '../../lib/tokenizers/prove-space-seams.js';

/** A tiny legacy-LLaMA-shaped tokenizer.json; `patch` replaces top-level or model keys. */
function tokenizerJson(patch: { top?: Record<string, unknown>; model?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<unk>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 2, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    ...patch.top,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, '▁': 3, a: 4, b: 5, '▁a': 6, ab: 7, '▁▁': 8 },
      merges: ['▁ a', ['a', 'b'], '▁ ▁'],
      ...patch.model,
    },
  };
}

describe('proveSpaceSeams', () => {
  it('proves the legacy LLaMA shape, with merges in either file format', () => {
    expect(proveSpaceSeams(tokenizerJson())).toEqual({ spaceId: 3, addedTokens: ['<unk>', '</s>'] });
  });

  it.each<[string, { top?: Record<string, unknown>; model?: Record<string, unknown> }]>([
    ['a merge joins across a seam', { model: { merges: ['▁ a', 'a ▁a'] } }],
    ['a merge is unreadable', { model: { merges: ['a b c'] } }],
    ['there is a pre-tokenizer', { top: { pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false } } }],
    ['the normalizer differs', { top: { normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { String: ' ' }, content: '▁' }] } } }],
    [
      'a normalizer step has extra settings',
      {
        top: {
          normalizer: {
            type: 'Sequence',
            normalizers: [
              { type: 'Prepend', prepend: '▁', x: 1 },
              { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
            ],
          },
        },
      },
    ],
    ['the model is not BPE', { model: { type: 'Unigram' } }],
    ['BPE has dropout', { model: { dropout: 0.1 } }],
    ['BPE ignores merges for whole words', { model: { ignore_merges: true } }],
    ['`▁` is not in the vocabulary', { model: { vocab: { '<unk>': 0, a: 1 } } }],
    ['a normalized added token could be created by normalization', { top: { added_tokens: [{ id: 9, content: 'a b', normalized: true }] } }],
  ])('refuses a file where %s', (_, patch) => {
    expect(proveSpaceSeams(tokenizerJson(patch))).toBeNull();
  });
});
