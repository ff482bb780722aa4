/**
 * LLaVA-NeXT (LLaVA-1.6) AnyRes image-token count, reproduced from haotian-liu/LLaVA
 * `llava/mm_utils.py` (`select_best_resolution`, `get_anyres_image_grid_shape`) and
 * `llava/model/llava_arch.py` (`unpad_image` and the `spatial_unpad` branch of
 * `prepare_inputs_labels_for_multimodal`); LLaVA-VL/LLaVA-NeXT carries the same code.
 *
 * Upstream computes with Python floats and truncates with `int(...)`. JavaScript numbers are the
 * same IEEE-754 doubles and `/`, `*` are correctly rounded in both languages, so performing the
 * same operations in the same order gives bit-identical results. We deliberately do NOT use exact
 * rational arithmetic: for an 88×55 image `int(55 * (24 / 88))` is 14 in Python, not 15, and the
 * token count must match what the model sees (926, not 976). See docs/image-tokens.md.
 *
 * `implementation: 'transformers'` reproduces Hugging Face's port instead (`LlavaNextProcessor.
 * _get_number_of_features`, `image_processing_utils.select_best_resolution`): it reads the same
 * pinpoint list as [height, width], so ties go to the other orientation, and it unpads with
 * `int(round(x, 7))`. Small images differ: 88×55 costs 1,512 tokens there, 926 in LLaVA.
 */

/** A [width, height] resolution in pixels, as LLaVA's `image_grid_pinpoints` lists them. */
export type Pinpoint = readonly [width: number, height: number];

/** The parameters of the AnyRes rule that the count depends on. */
export interface AnyresParams {
  /** Vision-tower patch size in pixels (CLIP ViT-L/14: 14). */
  readonly patchSize: number;
  /** Vision-tower input size = tile size in pixels (336). */
  readonly imageSize: number;
  /**
   * Candidate padded resolutions as the model config lists them, in order (the first wins ties):
   * LLaVA reads each pair as [width, height], transformers as [height, width].
   */
  readonly gridPinpoints: ReadonlyArray<readonly [number, number]>;
  /** Append one `image_newline` feature per feature row (`mm_patch_merge_type` contains "unpad"). */
  readonly newlineToken: boolean;
  /** Crop feature rows/columns that only cover padding (`spatial_unpad`). */
  readonly unpad: boolean;
  /** Whose code to mirror: haotian-liu/LLaVA (`llava`) or Hugging Face transformers' LlavaNext. */
  readonly implementation: AnyresImplementation;
}

/** The two upstream codebases whose AnyRes counts differ on small images (see the file comment). */
export type AnyresImplementation = 'llava' | 'transformers';

/** Python's `int(x)`: truncation toward zero. */
const pythonInt = (x: number): number => Math.trunc(x);

/**
 * Python's `int(round(x, 7))` for x ≥ 0. toFixed rounds the exact binary value to 7 decimals as
 * Python does; they differ only on exact decimal ties, and no double is a tie next to an integer
 * (N − 5·10⁻⁸ is not a dyadic rational), so the integer part agrees.
 */
const pythonIntRound7 = (x: number): number => Math.trunc(Number(x.toFixed(7)));

/** Every intermediate of one AnyRes count, for tests and docs. */
export interface AnyresLayout {
  /** The pinpoint `select_best_resolution` picked, [width, height]. */
  readonly bestResolution: Pinpoint;
  /** Tiles across (`num_patch_width`) and down (`num_patch_height`). */
  readonly tileColumns: number;
  readonly tileRows: number;
  /** Feature map of the tiles after unpadding (before unpadding when `unpad` is off). */
  readonly featureRows: number;
  readonly featureColumns: number;
  /** Tokens of the downscaled base image: (imageSize / patchSize)². */
  readonly baseTokens: number;
  /** Total image tokens the LLM sees: base + rows · (columns + newline). */
  readonly tokens: number;
}

/**
 * LLaVA's `select_best_resolution`: the pinpoint keeping the most of the original pixels after an
 * aspect-preserving fit (capped at the original area), then the least padding; strict comparisons,
 * so the earliest pinpoint wins ties, as upstream.
 */
export function selectBestResolution(width: number, height: number, pinpoints: readonly Pinpoint[]): Pinpoint {
  let best: Pinpoint | undefined;
  let maxEffective = 0;
  let minWasted = Number.POSITIVE_INFINITY;
  for (const pinpoint of pinpoints) {
    const [pinWidth, pinHeight] = pinpoint;
    const scale = Math.min(pinWidth / width, pinHeight / height);
    const downscaledWidth = Math.trunc(width * scale);
    const downscaledHeight = Math.trunc(height * scale);
    const effective = Math.min(downscaledWidth * downscaledHeight, width * height);
    const wasted = pinWidth * pinHeight - effective;
    if (effective > maxEffective || (effective === maxEffective && wasted < minWasted)) {
      maxEffective = effective;
      minWasted = wasted;
      best = pinpoint;
    }
  }
  if (best === undefined) throw new RangeError('selectBestResolution needs at least one pinpoint');
  return best;
}

/** Length of Python's `range(length)[start:stop]`, negative indices included (upstream slices tensors so). */
function pythonSliceLength(length: number, start: number, stop: number): number {
  const clamp = (index: number): number => Math.min(Math.max(index < 0 ? index + length : index, 0), length);
  return Math.max(0, clamp(stop) - clamp(start));
}

/**
 * LLaVA's `unpad_image` on a `currentRows × currentColumns` feature map of an image whose ORIGINAL
 * size is `width × height`: the padding `resize_and_pad_image` added is cropped symmetrically.
 * The crop is recomputed from the original size, not taken from the resize, hence float mirroring.
 */
export function unpadFeatureShape(
  currentRows: number,
  currentColumns: number,
  width: number,
  height: number,
  implementation: AnyresImplementation = 'llava',
): { rows: number; columns: number } {
  const toInt = implementation === 'llava' ? pythonInt : pythonIntRound7;
  const originalAspectRatio = width / height;
  const currentAspectRatio = currentColumns / currentRows;
  if (originalAspectRatio > currentAspectRatio) {
    // Wider than the grid: padding was added above and below.
    const scaleFactor = currentColumns / width;
    const newRows = toInt(height * scaleFactor);
    const padding = Math.floor((currentRows - newRows) / 2);
    return { rows: pythonSliceLength(currentRows, padding, currentRows - padding), columns: currentColumns };
  }
  // Taller than (or as wide as) the grid: padding was added left and right.
  const scaleFactor = currentRows / height;
  const newColumns = toInt(width * scaleFactor);
  const padding = Math.floor((currentColumns - newColumns) / 2);
  return { rows: currentRows, columns: pythonSliceLength(currentColumns, padding, currentColumns - padding) };
}

/** The pinpoints as [width, height]: transformers reads each configured pair as [height, width]. */
function pinpointsAsWidthHeight(params: AnyresParams): ReadonlyArray<Pinpoint> {
  if (params.implementation === 'llava') return params.gridPinpoints;
  return params.gridPinpoints.map(([first, second]): Pinpoint => [second, first]);
}

/**
 * The full AnyRes layout of a `width × height` image. The resize-and-pad itself does not change
 * the count: tiles depend only on the chosen pinpoint, and the unpad crop only on the original size.
 */
export function anyresLayout(params: AnyresParams, width: number, height: number): AnyresLayout {
  const featuresPerSide = params.imageSize / params.patchSize;
  const baseTokens = featuresPerSide * featuresPerSide;
  const bestResolution = selectBestResolution(width, height, pinpointsAsWidthHeight(params));
  // get_anyres_image_grid_shape: (width // tile, height // tile); the schema enforces multiples.
  const tileColumns = Math.floor(bestResolution[0] / params.imageSize);
  const tileRows = Math.floor(bestResolution[1] / params.imageSize);
  const fullRows = tileRows * featuresPerSide;
  const fullColumns = tileColumns * featuresPerSide;
  const { rows, columns } = params.unpad
    ? unpadFeatureShape(fullRows, fullColumns, width, height, params.implementation)
    : { rows: fullRows, columns: fullColumns };
  // torch.cat appends the newline column to every row, even when unpadding left zero columns.
  const tokens = baseTokens + rows * (columns + (params.newlineToken ? 1 : 0));
  return { bestResolution, tileColumns, tileRows, featureRows: rows, featureColumns: columns, baseTokens, tokens };
}

/** Image tokens LLaVA-NeXT's LLM sees for one `width × height` image under AnyRes. */
export function anyresImageTokens(params: AnyresParams, width: number, height: number): number {
  return anyresLayout(params, width, height).tokens;
}

/** The most tokens any image can take under these params: base + the largest full grid with newlines. */
export function anyresMaxImageTokens(params: AnyresParams): number {
  const featuresPerSide = params.imageSize / params.patchSize;
  let most = 0;
  for (const [pinWidth, pinHeight] of params.gridPinpoints) {
    const rows = (pinHeight / params.imageSize) * featuresPerSide;
    const columns = (pinWidth / params.imageSize) * featuresPerSide;
    most = Math.max(most, rows * (columns + (params.newlineToken ? 1 : 0)));
  }
  return featuresPerSide * featuresPerSide + most;
}
