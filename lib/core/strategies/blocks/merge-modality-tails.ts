import type { MegaBatches } from './mega-batches.js';

/**
 * The layout XTuner and LLaVA build before shuffling mega-batches across modalities:
 * `mm[:-1] + lang[:-1]` (all but the LAST mega-batch of each modality, even when that one is full),
 * followed by one merged tail `mm[-1] + lang[-1]`.
 */
export interface MergedModalities {
  readonly megaBatches: MegaBatches;
  /** Mega-batches before the tail; upstream shuffles exactly these with `randperm(fullCount)`. */
  readonly fullCount: number;
}

/**
 * Concatenate the two modalities' mega-batches with their last ones merged into one trailing tail.
 * Both inputs must hold at least one mega-batch (upstream only gets here with both modalities).
 */
export function mergeModalityTails(multimodal: MegaBatches, text: MegaBatches): MergedModalities {
  const mmFull = multimodal.bounds.length - 2;
  const textFull = text.bounds.length - 2;
  const mmTailStart = multimodal.bounds[mmFull]!;
  const textTailStart = text.bounds[textFull]!;
  const fullCount = mmFull + textFull;
  const ids = new Int32Array(multimodal.ids.length + text.ids.length);
  // Full mega-batches: multimodal first, then text.
  ids.set(multimodal.ids.subarray(0, mmTailStart), 0);
  ids.set(text.ids.subarray(0, textTailStart), mmTailStart);
  // The merged tail: the multimodal remainder, then the text remainder.
  const tailStart = mmTailStart + textTailStart;
  ids.set(multimodal.ids.subarray(mmTailStart), tailStart);
  ids.set(text.ids.subarray(textTailStart), tailStart + (multimodal.ids.length - mmTailStart));
  const bounds = new Int32Array(fullCount + 2);
  for (let k = 1; k <= mmFull; k++) bounds[k] = multimodal.bounds[k]!;
  for (let k = 1; k <= textFull; k++) bounds[mmFull + k] = mmTailStart + text.bounds[k]!;
  bounds[fullCount + 1] = ids.length;
  return { megaBatches: { ids, bounds }, fullCount };
}
