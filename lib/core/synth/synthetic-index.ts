import { MODALITY_IMAGE_TEXT, MODALITY_INTERLEAVED, MODALITY_TEXT_ONLY, type LengthIndex } from '../index/length-index.js';
import { CLIP_336_IMAGE_TOKENS, drawSyntheticSample, syntheticStream, type SyntheticSample } from './synthetic-lengths.js';

/** Nominal bytes per synthetic record, to give source offsets a plausible shape. */
const RECORD_BYTES = 512;

/**
 * A complete synthetic length index (all columns) of the mixture behind syntheticSignedLengths,
 * for demos and tests before real corpora are tokenized. The anchors' own lengths are derived the
 * way they define them: XTuner counts each image as one token; LLaVA counts words (~0.75/token).
 */
export function syntheticLengthIndex(sampleCount: number, seed: number): LengthIndex {
  const rng = syntheticStream(seed);
  const sample: SyntheticSample = { kind: 0, textTokens: 0, images: 0 };
  const numImages = new Uint16Array(sampleCount);
  const textTokens = new Int32Array(sampleCount);
  const imageTokens = new Int32Array(sampleCount);
  const totalTokens = new Int32Array(sampleCount);
  const trainableTokens = new Int32Array(sampleCount);
  const modality = new Uint8Array(sampleCount);
  const xtunerLength = new Int32Array(sampleCount);
  const llavaLength = new Int32Array(sampleCount);
  const sourceOffsets = new BigInt64Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) {
    drawSyntheticSample(rng, sample);
    const sign = sample.images === 0 ? -1 : 1;
    numImages[i] = sample.images;
    textTokens[i] = sample.textTokens;
    imageTokens[i] = sample.images * CLIP_336_IMAGE_TOKENS;
    totalTokens[i] = textTokens[i]! + imageTokens[i]!;
    // Assistant answers carry the loss: roughly the second half of the text.
    trainableTokens[i] = Math.max(1, Math.floor(sample.textTokens / 2));
    modality[i] = sample.kind === 2 ? MODALITY_TEXT_ONLY : sample.kind === 3 ? MODALITY_INTERLEAVED : MODALITY_IMAGE_TEXT;
    xtunerLength[i] = sign * (sample.textTokens + sample.images);
    llavaLength[i] = sign * Math.max(1, Math.floor((sample.textTokens * 3) / 4));
    sourceOffsets[i] = BigInt(i * RECORD_BYTES);
  }
  return {
    sampleCount,
    recordIds: { bytes: new Uint8Array(0), offsets: new Int32Array(sampleCount + 1) },
    sourceNames: ['synthetic'],
    sourceIndex: new Int32Array(sampleCount),
    sourceOffsets,
    numImages,
    textTokens,
    imageTokens,
    totalTokens,
    trainableTokens,
    modality,
    xtunerLength,
    llavaLength,
    tokensRow: new Int32Array(sampleCount).fill(-1),
  };
}
