import { Mt19937 } from '../rng/mt19937.js';
import { drawFromQuantiles } from './quantile-table.js';

/** Vision tokens of one CLIP ViT-L/14-336 image (24 × 24 patches), LLaVA-1.5's tower. */
export const CLIP_336_IMAGE_TOKENS = 576;

/**
 * Text-token quantiles (deciles, min to max) shaped after the public corpora:
 * LLaVA-Pretrain 558K captions are short; mix665K conversations are long-tailed; its ~6% text-only
 * samples (ShareGPT) are longer still; MMC4-style documents carry a few hundred to a few thousand.
 */
const TEXT_TOKEN_QUANTILES = {
  caption: [8, 14, 18, 21, 24, 27, 30, 34, 40, 52, 120],
  conversation: [20, 60, 95, 130, 170, 220, 290, 390, 560, 900, 2900],
  textOnly: [30, 120, 220, 330, 460, 620, 820, 1100, 1600, 2400, 3900],
  document: [120, 260, 380, 500, 640, 800, 990, 1250, 1600, 2200, 3800],
} as const;

/** Mixture weights in per-mille: pretrain captions, SFT with image, SFT text-only, documents. */
const MIXTURE_PER_MILLE = { caption: 400, conversation: 470, textOnly: 60 } as const;

/** One synthetic sample's shape (reused between draws: no per-sample allocation). */
export interface SyntheticSample {
  /** 0 caption, 1 conversation, 2 text-only, 3 interleaved document. */
  kind: 0 | 1 | 2 | 3;
  textTokens: number;
  images: number;
}

/** The stream of a synthetic corpus ("syn1" tag keeps it apart from planning streams). */
export function syntheticStream(seed: number): Mt19937 {
  return Mt19937.fromKey([seed >>> 0, 0x73796e31]);
}

/** Draw the next sample of the mixture into `out`. */
export function drawSyntheticSample(rng: Mt19937, out: SyntheticSample): SyntheticSample {
  const pick = rng.nextUint32() % 1000;
  const { caption, conversation, textOnly } = MIXTURE_PER_MILLE;
  if (pick < caption) {
    out.kind = 0;
    out.images = 1;
    out.textTokens = drawFromQuantiles(TEXT_TOKEN_QUANTILES.caption, rng);
  } else if (pick < caption + conversation) {
    out.kind = 1;
    out.images = 1;
    out.textTokens = drawFromQuantiles(TEXT_TOKEN_QUANTILES.conversation, rng);
  } else if (pick < caption + conversation + textOnly) {
    out.kind = 2;
    out.images = 0;
    out.textTokens = drawFromQuantiles(TEXT_TOKEN_QUANTILES.textOnly, rng);
  } else {
    out.kind = 3;
    out.images = 1 + (rng.nextUint32() % 6);
    out.textTokens = drawFromQuantiles(TEXT_TOKEN_QUANTILES.document, rng);
  }
  return out;
}

/**
 * Signed true-cost lengths of a synthetic mixed corpus (positive = with images: text + 576 per
 * image; negative = text-only), for benchmarks. Deterministic in (n, seed); same samples as
 * {@link syntheticLengthIndex} with that seed.
 */
export function syntheticSignedLengths(sampleCount: number, seed: number): Int32Array {
  const rng = syntheticStream(seed);
  const sample: SyntheticSample = { kind: 0, textTokens: 0, images: 0 };
  const lengths = new Int32Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) {
    drawSyntheticSample(rng, sample);
    const total = sample.textTokens + sample.images * CLIP_336_IMAGE_TOKENS;
    lengths[i] = sample.images === 0 ? -total : total;
  }
  return lengths;
}
