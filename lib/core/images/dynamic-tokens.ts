/**
 * Qwen2-VL "naive dynamic resolution" image-token count, reproduced from huggingface/transformers
 * `models/qwen2_vl/image_processing_qwen2_vl.py` (`smart_resize`, current form: no minimum-side
 * check, `max(factor, …)` guard on the downscale branch only) and `processing_qwen2_vl.py`
 * (`image_grid_thw.prod() // merge_size**2` `<|image_pad|>` tokens per image).
 *
 * The initial rounding is Python's `round()`, which rounds halves to EVEN (70 / 28 = 2.5 → 2); we
 * compute it exactly with integers, which equals Python's float result because a quotient by 28 is
 * never within an ulp of a false half. The two rescale branches use `sqrt` and divisions in the
 * same order as upstream: IEEE-754 makes them bit-identical in JavaScript.
 */

/** Upstream rejects images whose long side exceeds 200 × the short side (`ValueError`). */
export const QWEN2_VL_MAX_ASPECT_RATIO = 200;

/** The parameters of the dynamic rule that the count depends on. */
export interface DynamicParams {
  /** ViT patch size in pixels (Qwen2-VL: 14). */
  readonly patchSize: number;
  /** Patches merged per side before the LLM (Qwen2-VL: 2, so one token covers 28 × 28 pixels). */
  readonly mergeSize: number;
  /** Lower bound on resized pixels (`min_pixels`). */
  readonly minPixels: number;
  /** Upper bound on resized pixels (`max_pixels`). */
  readonly maxPixels: number;
}

/** A resized image size, in pixels. */
export interface ResizedSize {
  readonly height: number;
  readonly width: number;
}

/** Python's `round(numerator / denominator)` for non-negative integers: halves go to the even neighbour. */
export function roundHalfEven(numerator: number, denominator: number): number {
  const quotient = Math.floor(numerator / denominator);
  const twiceRemainder = 2 * (numerator - quotient * denominator);
  if (twiceRemainder > denominator) return quotient + 1;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2 === 0 ? quotient : quotient + 1;
}

/** Why upstream would refuse this size (it raises), or undefined when it can be resized. */
export function smartResizeProblem(height: number, width: number): string | undefined {
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > QWEN2_VL_MAX_ASPECT_RATIO) {
    return `aspect ratio ${ratio.toFixed(1)}:1 of a ${width}×${height} image is above Qwen2-VL's limit of ${QWEN2_VL_MAX_ASPECT_RATIO}:1`;
  }
  return undefined;
}

/**
 * transformers' `smart_resize(height, width, factor, min_pixels, max_pixels)`: both sides become
 * multiples of `factor`, the pixel count is pulled into [minPixels, maxPixels], the aspect ratio
 * is kept as well as those allow. Throws RangeError where upstream raises (aspect ratio > 200).
 */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): ResizedSize {
  const problem = smartResizeProblem(height, width);
  if (problem !== undefined) throw new RangeError(problem);
  let heightBar = roundHalfEven(height, factor) * factor;
  let widthBar = roundHalfEven(width, factor) * factor;
  if (heightBar * widthBar > maxPixels) {
    // Too many pixels: scale both sides down by beta, flooring to the factor (at least one factor).
    const beta = Math.sqrt((height * width) / maxPixels);
    heightBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    widthBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (heightBar * widthBar < minPixels) {
    // Too few: scale up, ceiling to the factor (upstream has no max(factor) guard here; none needed).
    const beta = Math.sqrt(minPixels / (height * width));
    heightBar = Math.ceil((height * beta) / factor) * factor;
    widthBar = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: heightBar, width: widthBar };
}

/**
 * `<|image_pad|>` tokens Qwen2-VL's LLM sees for one `width × height` image: the resized image has
 * (h / patch) × (w / patch) ViT patches (grid_t = 1 for a still image), merged mergeSize² to one.
 * The `<|vision_start|>` / `<|vision_end|>` around them belong to the chat template's text.
 */
export function dynamicImageTokens(params: DynamicParams, width: number, height: number): number {
  const factor = params.patchSize * params.mergeSize;
  const resized = smartResize(height, width, factor, params.minPixels, params.maxPixels);
  const patches = (resized.height / params.patchSize) * (resized.width / params.patchSize);
  return Math.floor(patches / (params.mergeSize * params.mergeSize));
}
