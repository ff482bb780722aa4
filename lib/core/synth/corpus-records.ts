import type { Mt19937 } from '../rng/mt19937.js';
import { uniformBelow } from '../rng/shuffle.js';

/** The pretraining instructions of LLaVA-Pretrain 558K (one is paired with each caption). */
const PRETRAIN_INSTRUCTIONS = [
  'Describe the image concisely.',
  'Provide a brief description of the given image.',
  'Offer a succinct explanation of the picture presented.',
  'Summarize the visual content of the image.',
  'Give a short and clear explanation of the subsequent image.',
  'Share a concise interpretation of the image provided.',
  "Present a compact description of the photo's key features.",
  'Relay a brief, clear account of the picture shown.',
  'Render a clear and concise summary of the photo.',
  'Write a terse but informative summary of the picture.',
  'Create a compact narrative representing the image presented.',
];

/** Image folders of mix665k by share (per-mille): coco, gqa, ocr_vqa, textvqa, vg. */
const SFT_IMAGE_SOURCES: ReadonlyArray<readonly [number, (n: number) => string]> = [
  [547, (n) => `coco/train2017/${String(n).padStart(12, '0')}.jpg`],
  [108, (n) => `gqa/images/${2300000 + n}.jpg`],
  [120, (n) => `ocr_vqa/images/${String(n).padStart(10, '0')}.jpg`],
  [33, (n) => `textvqa/train_images/${n.toString(16).padStart(16, '0')}.jpg`],
  [192, (n) => `vg/VG_100K/${n}.jpg`],
];

/** What record generators draw text from. */
export interface TextSource {
  readonly sentences: readonly string[];
  readonly rng: Mt19937;
}

const pick = <T>(items: readonly T[], source: TextSource): T => items[uniformBelow(source.rng, items.length)]!;
const between = (low: number, high: number, source: TextSource): number => low + uniformBelow(source.rng, high - low + 1);

/** `count` consecutive sentences from a random place (keeps paragraphs coherent). */
export function paragraph(source: TextSource, count: number): string {
  const start = uniformBelow(source.rng, source.sentences.length);
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(source.sentences[(start + k) % source.sentences.length]!);
  return out.join(' ');
}

/** A BLIP-style caption: a lowercase fragment of 5–20 words without final punctuation. */
function caption(source: TextSource): string {
  const words = pick(source.sentences, source).replace(/["()]/g, '').split(' ');
  const length = Math.min(words.length, between(5, 20, source));
  return words
    .slice(0, length)
    .join(' ')
    .toLowerCase()
    .replace(/[.,;:!?]+$/, '');
}

/** A LLaVA-Pretrain 558K record: one instruction with `<image>` (before or after) and one caption. */
export function pretrainRecord(index: number, source: TextSource): Record<string, unknown> {
  const id = String(1_000_000 + index * 7).padStart(9, '0');
  const instruction = pick(PRETRAIN_INSTRUCTIONS, source);
  const human = uniformBelow(source.rng, 2) === 0 ? `<image>\n${instruction}` : `${instruction}\n<image>`;
  return {
    id,
    image: `${id.slice(0, 5)}/${id}.jpg`,
    conversations: [
      { from: 'human', value: human },
      { from: 'gpt', value: caption(source) },
    ],
  };
}

/**
 * A mix665K-shaped record: ~6 % text-only multi-turn ShareGPT-style conversations with long
 * answers (no `image` key), the rest image conversations of 1–8 question/answer rounds, the
 * `<image>` in the first question.
 */
export function sftRecord(index: number, source: TextSource): Record<string, unknown> {
  if (uniformBelow(source.rng, 1000) < 61) return textOnlyRecord(index, source);
  // Geometric number of rounds (mean ≈ 1.8, at most 8): most mix665K samples are short dialogues.
  let rounds = 1;
  while (rounds < 8 && uniformBelow(source.rng, 100) < 45) rounds++;
  const conversations: Array<{ from: string; value: string }> = [];
  for (let round = 0; round < rounds; round++) {
    const question = `${paragraph(source, 1).replace(/[.!?"]+$/, '')}?`;
    conversations.push({ from: 'human', value: round === 0 ? `<image>\n${question}` : question });
    conversations.push({ from: 'gpt', value: paragraph(source, between(1, uniformBelow(source.rng, 4) === 0 ? 8 : 2, source)) });
  }
  return { id: String(index), image: imagePath(index, source), conversations };
}

function textOnlyRecord(index: number, source: TextSource): Record<string, unknown> {
  const conversations: Array<{ from: string; value: string }> = [];
  for (let round = between(1, 5, source); round > 0; round--) {
    conversations.push({ from: 'human', value: paragraph(source, between(1, 3, source)) });
    conversations.push({ from: 'gpt', value: paragraph(source, between(3, 15, source)) });
  }
  return { id: `sharegpt_${index.toString(36)}_0`, model: '', conversations };
}

function imagePath(index: number, source: TextSource): string {
  let draw = uniformBelow(source.rng, 1000);
  for (const [share, path] of SFT_IMAGE_SOURCES) {
    if (draw < share) return path(index);
    draw -= share;
  }
  return SFT_IMAGE_SOURCES[0]![1](index);
}

/** An MMC4-shaped document: 5–40 sentences and 1–6 images matched to sentences. */
export function mmc4Record(index: number, source: TextSource): Record<string, unknown> {
  const textList = paragraph(source, between(5, 40, source)).split(/(?<=[.!?"]) (?=[A-Z"])/);
  const images = between(1, Math.min(6, textList.length), source);
  const imageInfo = Array.from({ length: images }, (_, k) => ({
    image_name: `${(index * 131 + k).toString(16).padStart(12, '0')}.jpg`,
    matched_text_index: uniformBelow(source.rng, textList.length),
    matched_sim: 0.2 + uniformBelow(source.rng, 150) / 1000,
    face_detections: null,
  }));
  return { url: `https://example.org/doc/${index}`, text_list: textList, image_info: imageInfo, could_have_url_duplicate: 0 };
}
