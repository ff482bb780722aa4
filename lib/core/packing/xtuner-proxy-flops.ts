/**
 * XTuner V1's per-sample attention-cost proxy (`CachableTokenizeFunction.proxy_attention_flops`,
 * xtuner/v1/datasets/utils.py), the number its soft packer sums into each pack's `longest`:
 * `llm_pack_weight · round(num_tokens / B)² + visual_pack_weight · Σ (n / B)²` over the sample's
 * per-image visual token counts, B = `flash_attn_block_size` (128). Everything is float64, as in
 * Python; the image sum runs in list order from 0.
 */

/** The weights and block size XTuner's tokenize function was built with. */
export interface ProxyFlopsWeights {
  readonly llmPackWeight: number;
  readonly visualPackWeight: number;
  readonly flashAttnBlockSize: number;
}

/** XTuner's defaults: text only (visual weight 0), 128-token flash-attention blocks. */
export const DEFAULT_PROXY_FLOPS_WEIGHTS: ProxyFlopsWeights = { llmPackWeight: 1, visualPackWeight: 0, flashAttnBlockSize: 128 };

/** Per-image visual token counts of every sample, flat: sample i's are `counts[starts[i], starts[i+1])`. */
export interface ImageTokenLists {
  readonly counts: Float64Array | Int32Array;
  readonly starts: Int32Array;
}

/**
 * Python 3's `round(x)` for a float: to the nearest integer, halves to the even neighbour
 * (64/128 → 0, 192/128 → 2). `Math.round` sends halves up, which changes the proxy of such lengths.
 */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Every sample's proxy flops. `images` null means text only: each sample counts as `[0]`, as the
 * decorator does when a tokenize function reports no `num_img_tokens`.
 */
export function xtunerProxyFlops(numTokens: Int32Array, images: ImageTokenLists | null, weights: ProxyFlopsWeights): Float64Array {
  const { llmPackWeight, visualPackWeight, flashAttnBlockSize: block } = weights;
  const flops = new Float64Array(numTokens.length);
  for (let i = 0; i < numTokens.length; i++) {
    const llmBlocks = pythonRound(numTokens[i]! / block);
    let imageBlocks = 0;
    if (images) {
      for (let k = images.starts[i]!; k < images.starts[i + 1]!; k++) {
        // (n / B) ** 2 in Python: n / B is exact for a power-of-two B, so x · x rounds once, as pow does.
        const x = images.counts[k]! / block;
        imageBlocks += x * x;
      }
    }
    flops[i] = llmPackWeight * (llmBlocks * llmBlocks) + visualPackWeight * imageBlocks;
  }
  return flops;
}
