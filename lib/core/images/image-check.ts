/**
 * How far each image is checked before its record is trusted (`imageCheck` in dataset.json), and
 * what a check learns about one image. Levels and their measured costs: docs/image-tokens.md.
 */
import { z } from 'zod';
import { needsImageSize, type ImageTokenRule } from './image-token-rule.js';

/** The image check levels, cheapest first. */
export const IMAGE_CHECK_LEVELS = ['none', 'exists', 'header', 'decode'] as const;

/**
 * `none`: images are not looked at (references are still validated; fixed rule only) ·
 * `exists`: the object exists and is not empty (one HEAD) · `header`: its header parses and gives a
 * sane size (one small ranged read: catches empty, wrong-format and truncated-header files) ·
 * `decode`: JPEG and PNG images decode fully (one whole read and a decode: catches truncated and
 * corrupt image data; other formats are checked to the header).
 */
export const imageCheckSchema = z
  .enum(IMAGE_CHECK_LEVELS)
  .describe('How far each distinct image is checked: none, exists, header (default), decode (docs/image-tokens.md).');

/** An image check level. */
export type ImageCheckLevel = z.infer<typeof imageCheckSchema>;

/**
 * The default: a header read costs the same single request per image as an existence check (a
 * small ranged GET instead of a HEAD, same price) and catches most broken files; a full decode
 * costs a whole read and 43–56 ms of CPU per photo-sized JPEG: over 100× the CPU of the whole Tokenize stage
 * at scale (docs/image-tokens.md has the measurements and projections).
 */
export const DEFAULT_IMAGE_CHECK: ImageCheckLevel = 'header';

/**
 * The level actually applied under `rule`: a size-dependent rule (anyres, dynamic) needs every
 * image's header, so `exists` is raised to `header`. `none` under such a rule is a config error
 * (see {@link imageCheckProblem}).
 */
export function effectiveImageCheck(level: ImageCheckLevel, rule: ImageTokenRule): ImageCheckLevel {
  return level === 'exists' && needsImageSize(rule) ? 'header' : level;
}

/** Why `level` cannot be used with `rule`, or undefined when it can. */
export function imageCheckProblem(level: ImageCheckLevel, rule: ImageTokenRule): string | undefined {
  if (level !== 'none' || !needsImageSize(rule)) return undefined;
  return `"none" cannot be used with the ${rule.kind} image-token rule, which reads every image's size; use "header" or "decode", or imageTokens {"kind": "fixed"}`;
}

/**
 * Most pixels an image may have: Pillow's `Image.open` raises DecompressionBombError above
 * 2 × MAX_IMAGE_PIXELS (89,478,485 by default), so LLaVA's loader would crash on such a file.
 */
export const PIL_MAX_IMAGE_PIXELS = 2 * 89_478_485;

/** Why a header's size cannot be a trainable image (a corrupt header or a decompression bomb), or undefined. */
export function imageSizeSanityProblem(width: number, height: number): string | undefined {
  if (width * height <= PIL_MAX_IMAGE_PIXELS) return undefined;
  return `header says ${width}×${height} = ${width * height} pixels, over Pillow's limit of ${PIL_MAX_IMAGE_PIXELS} (DecompressionBombError): a corrupt header or an image no loader will open`;
}

/**
 * What one check learned about one image: it is usable (with its stored size when the level read
 * it, 0 × 0 otherwise), or the reason every record referring to it is rejected. This is also the
 * shape of a precomputed run-wide image table (key → exists, width, height).
 */
export type ImageFacts = { readonly ok: true; readonly width: number; readonly height: number } | { readonly ok: false; readonly reason: string };
