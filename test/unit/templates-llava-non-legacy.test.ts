/**
 * `vicuna_v1` with `legacy: false` on the real LLaMA-2 vocabulary: the ids of transformers 4.31's
 * non-legacy LlamaTokenizer (what trained LLaVA-1.5) — the text after each `</s>` loses the
 * dummy-prefix `▁` of its first piece (`US` 3308, not `▁US` 3148) — with LLaVA-1.5's masks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { DROPPED_PIECE, nonLegacyPrefixOf } from '../../lib/core/tokenize/non-legacy-prefix.js';
import { IGNORE_LABEL, type Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import { createTemplateEncoder, encodeConversations } from '../../lib/core/templates/encode-pieces.js';
import { sampleOf } from '../../lib/core/templates/encoded-batch.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import { loadNpmTokenizer, llama2TokenizerJson } from '../../lib/tokenizers/index.js';
import { deriveNonLegacyPrefix } from '../../lib/tokenizers/derive-non-legacy-prefix.js';

const conversation = (turns: Conversation['turns']): Conversation => ({ id: 'c', kind: 'conversation', images: ['x.jpg'], turns });

const ANSWERS = ['The cat is sleeping on a red sofa.', 'It is black with white paws.'];
const TWO_ROUNDS = conversation([
  { role: 'user', text: 'What is the cat doing?\n<image>' },
  { role: 'assistant', text: ANSWERS[0]! },
  { role: 'user', text: 'What colour is the cat?' },
  { role: 'assistant', text: ANSWERS[1]! },
]);

/** Decode ids with the file's own vocabulary and decoder rules (▁ → space, bytes, one leading space stripped). */
function decoder(): (ids: readonly number[]) => string {
  const vocab = (JSON.parse(llama2TokenizerJson()) as { model: { vocab: Record<string, number> } }).model.vocab;
  const pieces = new Map(Object.entries(vocab).map(([piece, id]) => [id, piece]));
  return (ids) => {
    const bytes: number[] = [];
    for (const id of ids) {
      const piece = pieces.get(id)!;
      const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
      if (byte !== null) bytes.push(parseInt(byte[1]!, 16));
      else bytes.push(...new TextEncoder().encode(piece.replaceAll('▁', ' ')));
    }
    return new TextDecoder().decode(new Uint8Array(bytes)).replace(/^ /, '');
  };
}

/** The runs of trainable labels, each as its ids. */
function trainedSpans(labels: Int32Array): number[][] {
  const spans: number[][] = [];
  let current: number[] | null = null;
  for (const label of labels) {
    if (label === IGNORE_LABEL) current = null;
    else if (current === null) spans.push((current = [label]));
    else current.push(label);
  }
  return spans;
}

describe.each(['native', 'js'] as const)('vicuna_v1 legacy: false on LLaMA-2, %s engine', (engine) => {
  let llama2: Tokenizer;
  const decode = decoder();
  beforeAll(async () => {
    llama2 = await loadNpmTokenizer('llama2', { engine });
  });

  it('the adapter derives the map from the file: ▁US → US, a lone ▁ is dropped', () => {
    const prefix = nonLegacyPrefixOf(llama2)!;
    expect(prefix.strippedIds[3148]).toBe(3308);
    expect(llama2.tokenToId('US')).toBe(3308);
    expect(prefix.strippedIds[29871]).toBe(DROPPED_PIECE);
    expect(prefix.strippedIds[13]).toBe(13); // <0x0A> has no ▁
    expect(prefix.addedTokens).toEqual(['<unk>', '<s>', '</s>']);
  });

  it('gives US (3308) at round 2’s start where legacy gives ▁US (3148); nothing else changes', async () => {
    const legacy = sampleOf(await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy: true }), llama2), 0);
    const nonLegacy = sampleOf(await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy: false }), llama2), 0);
    const round2 = legacy.inputIds.indexOf(2) + 1;
    expect(Array.from(legacy.inputIds.subarray(round2, round2 + 3))).toEqual([3148, 1001, 29901]);
    expect(Array.from(nonLegacy.inputIds.subarray(round2, round2 + 3))).toEqual([3308, 1001, 29901]);
    const differences = Array.from(legacy.inputIds).flatMap((id, i) => (id !== nonLegacy.inputIds[i] ? [i] : []));
    expect(differences).toEqual([round2]);
    expect(nonLegacy.inputIds.length).toBe(legacy.inputIds.length);
  });

  it('trains exactly the answers and their </s>: LLaVA-1.5’s arithmetic (no −1) agrees with the new ids', async () => {
    const batch = await encodeConversations([TWO_ROUNDS], resolveTemplate({ name: 'vicuna_v1', legacy: false }), llama2);
    expect(batch.templateId).toMatch(/^llava-vicuna-v1-nonlegacy@1\+/);
    const { labels } = sampleOf(batch, 0);
    expect(trainedSpans(labels).map(decode)).toEqual(ANSWERS.map((a) => `${a}</s>`));
    expect(batch.flags[0]).toBe(0);
    expect(batch.warnings).toEqual([]);
  });

  it('drops a first piece that was a lone ▁ (text after a literal </s> starting with a newline)', async () => {
    const turns: Conversation['turns'] = [
      { role: 'user', text: '<image>\nHi</s>\nthere' },
      { role: 'assistant', text: 'Yes.' },
    ];
    const ids = async (legacy: boolean): Promise<number[]> =>
      Array.from(sampleOf(await encodeConversations([conversation(turns)], resolveTemplate({ name: 'vicuna_v1', legacy }), llama2), 0).inputIds);
    const legacyIds = await ids(true);
    const nonLegacyIds = await ids(false);
    const at = legacyIds.indexOf(2);
    expect(legacyIds.slice(at, at + 3)).toEqual([2, 29871, 13]);
    expect(nonLegacyIds.slice(at, at + 2)).toEqual([2, 13]);
    expect(nonLegacyIds).toEqual([...legacyIds.slice(0, at + 1), ...legacyIds.slice(at + 2)]);
  });

  it('gives the same ids and labels with and without cutting at space seams, on many rounds', async () => {
    const template = resolveTemplate({ name: 'vicuna_v1', legacy: false });
    const turns: Array<Conversation['turns'][number]> = [];
    for (let r = 0; r < 6; r++) {
      turns.push({ role: 'user', text: `${r === 0 ? '<image>\n' : ''}Question ${r} about  the picture?` });
      turns.push({ role: 'assistant', text: `Answer number ${r}, with detail.` });
    }
    const fast = await (await createTemplateEncoder(template, llama2)).encode([conversation(turns)]);
    const probing = await (await createTemplateEncoder(template, llama2, { cutAtSpaceSeams: false })).encode([conversation(turns)]);
    expect(Array.from(fast.inputIds)).toEqual(Array.from(probing.inputIds));
    expect(Array.from(fast.labels)).toEqual(Array.from(probing.labels));
    expect(fast.flags[0]).toBe(0);
    expect(Array.from(fast.inputIds).filter((id) => id === 3308)).toHaveLength(5);
    expect(trainedSpans(sampleOf(fast, 0).labels).map(decode)).toEqual(turns.filter((t) => t.role === 'assistant').map((t) => `${t.text}</s>`));
  });
});

describe('legacy: false on tokenizers of another shape', () => {
  it('is refused with an error naming template.legacy (byte-level BPE: Llama-3)', async () => {
    const llama3 = await loadNpmTokenizer('llama3');
    expect(nonLegacyPrefixOf(llama3)).toBeNull();
    const attempt = createTemplateEncoder(resolveTemplate({ name: 'vicuna_v1', legacy: false }), llama3);
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    await expect(attempt).rejects.toThrow(/^template\.legacy: false reproduces transformers 4\.31's non-legacy LlamaTokenizer/);
  });

  it('derives no map from a file whose normalizer is not exactly Prepend + Replace', () => {
    const file = JSON.parse(llama2TokenizerJson()) as Record<string, unknown>;
    expect(deriveNonLegacyPrefix(file)).not.toBeNull();
    expect(deriveNonLegacyPrefix({ ...file, normalizer: null })).toBeNull();
    expect(deriveNonLegacyPrefix({ ...file, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first' } })).toBeNull();
  });
});
