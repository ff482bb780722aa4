/**
 * The token columns of a packed shard, from each sample's own tokens: what varlen attention needs
 * and nothing a trainer must re-derive per step. Flat typed arrays cut by row offsets, as every
 * shard column is; no per-row objects.
 */

/** LLaVA's and XTuner's image placeholder: one per image in input_ids, expanded by the model. */
export const IMAGE_TOKEN_INDEX = -200;
/** Label of a position that takes no loss (PyTorch's CrossEntropyLoss ignore_index). */
export const IGNORE_INDEX = -100;

/** A sample-per-row token layout: row p's tokens are [tokenOffsets[p], tokenOffsets[p+1]). */
export interface SampleTokens {
  readonly tokenOffsets: Int32Array;
  readonly inputIds: Int32Array;
  /** Row p's images are [imageOffsets[p], imageOffsets[p+1]) of imageTokens. */
  readonly imageOffsets: Int32Array;
  /** Vision tokens each image expands to. */
  readonly imageTokens: Int32Array;
}

/**
 * `position_ids`, parallel to input_ids: each token's position in its sample *after* the image
 * sentinels are expanded, restarting at 0 for every sample. A text token's position counts the
 * expanded tokens before it in its sample; the i-th sentinel of a row holds the position of its
 * first vision token, and the token after it jumps by image_tokens[i]. Expanding sentinel i into
 * positions p … p + image_tokens[i] − 1 therefore gives 0 … total_tokens − 1 for every sample; for
 * text-only rows this is `range(len(input_ids))` per sample, HF's padding-free position ids.
 */
export function packedPositionIds(tokens: SampleTokens): Int32Array {
  const { tokenOffsets, inputIds, imageOffsets, imageTokens } = tokens;
  const out = new Int32Array(inputIds.length);
  const rows = tokenOffsets.length - 1;
  for (let p = 0; p < rows; p++) {
    let position = 0;
    let image = imageOffsets[p]!;
    const lastImage = imageOffsets[p + 1]!;
    for (let t = tokenOffsets[p]!; t < tokenOffsets[p + 1]!; t++) {
      out[t] = position;
      // A sentinel beyond the row's listed images counts one position, so the column stays defined.
      position += inputIds[t] === IMAGE_TOKEN_INDEX && image < lastImage ? imageTokens[image++]! : 1;
    }
  }
  return out;
}

/**
 * Labels with no cross-contamination: a copy of `labels` where the first label of every sample
 * after the first in its pack is −100 (the rule of HF's DataCollatorWithFlattening), so the last
 * token of one sample is never trained to predict the first token of the next. The first sample's
 * first label is left alone: no position of the pack predicts it.
 */
export function maskPackBoundaryLabels(labels: Int32Array, tokenOffsets: Int32Array, packStarts: Int32Array): Int32Array {
  const out = labels.slice();
  let pack = 0;
  const rows = tokenOffsets.length - 1;
  for (let p = 0; p < rows; p++) {
    while (packStarts[pack + 1]! <= p) pack++;
    const first = tokenOffsets[p]!;
    if (p !== packStarts[pack] && first < tokenOffsets[p + 1]!) out[first] = IGNORE_INDEX;
  }
  return out;
}

/**
 * flash-attn's `cu_seqlens` of pack rows [start, end): 0, then the running sum of each sample's
 * expanded length (total_tokens), int32 as flash_attn_varlen_func takes it.
 */
export function packCuSeqlens(totalTokens: Int32Array, start: number, end: number): Int32Array {
  const out = new Int32Array(end - start + 1);
  for (let p = start; p < end; p++) out[p - start + 1] = out[p - start]! + totalTokens[p]!;
  return out;
}
