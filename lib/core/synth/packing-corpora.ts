import { Mt19937 } from '../rng/mt19937.js';
import { drawFromQuantiles } from './quantile-table.js';
import { CLIP_336_IMAGE_TOKENS, drawSyntheticSample, syntheticStream, type SyntheticSample } from './synthetic-lengths.js';

/** Token and image counts of a synthetic corpus, by sample id: what a packer reads. */
export interface PackingCorpus {
  readonly tokens: Int32Array;
  readonly images: Uint16Array;
}

/**
 * LLaVA-665K-shaped: the SFT part of the synthetic mixture (image conversations, 576 tokens per
 * image plus 20..2,900 text tokens, and ~11% text-only ShareGPT-like samples of 30..3,900).
 */
export function llava665kShaped(count: number): PackingCorpus {
  const rng = syntheticStream(665);
  const sample: SyntheticSample = { kind: 0, textTokens: 0, images: 0 };
  const tokens = new Int32Array(count);
  const images = new Uint16Array(count);
  for (let i = 0; i < count; ) {
    drawSyntheticSample(rng, sample);
    if (sample.kind !== 1 && sample.kind !== 2) continue;
    tokens[i] = sample.textTokens + sample.images * CLIP_336_IMAGE_TOKENS;
    images[i++] = sample.images;
  }
  return { tokens, images };
}

/** MMC4-shaped interleaved documents: 300..4,000 tokens in total, 1..6 images each. */
export function mmc4Shaped(count: number): PackingCorpus {
  const rng = Mt19937.fromKey([4, 0x6d6d6334]);
  const deciles = [300, 420, 560, 720, 900, 1100, 1350, 1650, 2050, 2700, 4000];
  const tokens = new Int32Array(count);
  const images = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    tokens[i] = drawFromQuantiles(deciles, rng);
    images[i] = 1 + (rng.nextUint32() % 6);
  }
  return { tokens, images };
}

/** The whole synthetic mixture (captions, conversations, text-only, documents), as the other benchmarks use it. */
export function mixedShaped(count: number, seed: number): PackingCorpus {
  const rng = syntheticStream(seed);
  const sample: SyntheticSample = { kind: 0, textTokens: 0, images: 0 };
  const tokens = new Int32Array(count);
  const images = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    drawSyntheticSample(rng, sample);
    tokens[i] = sample.textTokens + sample.images * CLIP_336_IMAGE_TOKENS;
    images[i] = sample.images;
  }
  return { tokens, images };
}

/** The packing benchmark corpora by name. */
export const PACKING_CORPORA = {
  '665k': (count: number) => llava665kShaped(count),
  mmc4: (count: number) => mmc4Shaped(count),
  mixed: (count: number, seed = 0) => mixedShaped(count, seed),
} as const;

/** A corpus name of {@link PACKING_CORPORA}. */
export type PackingCorpusName = keyof typeof PACKING_CORPORA;
