/**
 * How many LLM tokens one image costs, configurable per vision tower. Three rules:
 * - `fixed`: every image the same (CLIP ViT-L/14-336 in LLaVA-1.5: 24 × 24 = 576);
 * - `anyres`: LLaVA-NeXT tiles + unpadding + newline tokens, size-dependent (anyres-tokens.ts);
 * - `dynamic`: Qwen2-VL smart_resize to 28-px multiples, size-dependent (dynamic-tokens.ts).
 * Formulas, worked examples and sources: docs/image-tokens.md.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { anyresImageTokens } from './anyres-tokens.js';
import { dynamicImageTokens, smartResizeProblem } from './dynamic-tokens.js';

/**
 * LLaVA-1.6 `image_grid_pinpoints` in the released configs' order (order breaks ties). LLaVA reads
 * each pair as [width, height]; transformers' LlavaNext reads the same list as [height, width].
 */
export const LLAVA_NEXT_GRID_PINPOINTS: ReadonlyArray<readonly [number, number]> = [
  [336, 672],
  [672, 336],
  [672, 672],
  [1008, 336],
  [336, 1008],
];

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be an integer ≥ 1` })
    .int({ error: `${what} must be an integer ≥ 1` })
    .min(1, { error: `${what} must be ≥ 1` });

const pinpointSchema = z.tuple([positiveInt('pinpoint width'), positiveInt('pinpoint height')]);

/** `fixed`: every image costs `tokensPerImage` (default 576, CLIP ViT-L/14 at 336 px). */
const fixedRuleSchema = z.strictObject({
  kind: z.literal('fixed'),
  tokensPerImage: positiveInt('tokensPerImage').default(576).describe('Tokens per image, whatever its size.'),
});

/** `anyres`: LLaVA-NeXT defaults (CLIP ViT-L/14-336, LLaVA-1.6 pinpoints, spatial_unpad). */
const anyresRuleSchema = z
  .strictObject({
    kind: z.literal('anyres'),
    patchSize: positiveInt('patchSize').default(14).describe('Vision-tower patch size in pixels.'),
    imageSize: positiveInt('imageSize').default(336).describe('Vision-tower input = tile size in pixels.'),
    gridPinpoints: z
      .array(pinpointSchema)
      .min(1, { error: 'gridPinpoints needs at least one [width, height]' })
      .default(() => LLAVA_NEXT_GRID_PINPOINTS.map(([w, h]): [number, number] => [w, h]))
      .describe('Candidate padded resolutions exactly as the model config lists them, in order ([width, height] to LLaVA).'),
    newlineToken: z.boolean().default(true).describe('One image_newline token per feature row.'),
    unpad: z.boolean().default(true).describe('Crop feature rows/columns that only cover padding.'),
    implementation: z
      .enum(['llava', 'transformers'])
      .default('llava')
      .describe('Mirror haotian-liu/LLaVA ("llava") or Hugging Face LlavaNext ("transformers"); they differ on small images.'),
  })
  .superRefine((rule, ctx) => {
    if (rule.imageSize % rule.patchSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageSize'],
        message: `imageSize ${rule.imageSize} must be a multiple of patchSize ${rule.patchSize} (a tile is a whole number of patches)`,
      });
    }
    rule.gridPinpoints.forEach(([width, height], i) => {
      if (width % rule.imageSize !== 0 || height % rule.imageSize !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['gridPinpoints', i],
          message: `[${width}, ${height}]: both sides must be multiples of imageSize ${rule.imageSize} (the padded image is cut into imageSize tiles)`,
        });
      }
    });
  });

/** `dynamic`: Qwen2-VL image-processor defaults (min_pixels 56², max_pixels 28² · 1280). */
const dynamicRuleSchema = z
  .strictObject({
    kind: z.literal('dynamic'),
    patchSize: positiveInt('patchSize').default(14).describe('ViT patch size in pixels.'),
    mergeSize: positiveInt('mergeSize').default(2).describe('Patches merged per side into one LLM token.'),
    minPixels: positiveInt('minPixels')
      .default(56 * 56)
      .describe('Lower bound on resized pixels (min_pixels).'),
    maxPixels: positiveInt('maxPixels')
      .default(28 * 28 * 1280)
      .describe('Upper bound on resized pixels (max_pixels); the Qwen2-VL Hub checkpoints use 28·28·16384.'),
  })
  .superRefine((rule, ctx) => {
    if (rule.minPixels > rule.maxPixels) {
      ctx.addIssue({
        code: 'custom',
        path: ['minPixels'],
        message: `minPixels ${rule.minPixels} is above maxPixels ${rule.maxPixels}; lower minPixels or raise maxPixels`,
      });
    }
  });

/** The image-token rule config: one of `fixed`, `anyres`, `dynamic` (strict objects, defaults filled). */
export const imageTokenRuleSchema = z.discriminatedUnion('kind', [fixedRuleSchema, anyresRuleSchema, dynamicRuleSchema]);

/** A validated image-token rule, defaults filled. */
export type ImageTokenRule = z.output<typeof imageTokenRuleSchema>;
/** A validated rule of one kind. */
export type FixedImageTokenRule = Extract<ImageTokenRule, { kind: 'fixed' }>;
export type AnyresImageTokenRule = Extract<ImageTokenRule, { kind: 'anyres' }>;
export type DynamicImageTokenRule = Extract<ImageTokenRule, { kind: 'dynamic' }>;
/** An image-token rule as written in a config (defaults optional). */
export type ImageTokenRuleInput = z.input<typeof imageTokenRuleSchema>;

/** Advice for the issues a hand-written rule most often has: a wrong kind, a misspelt field. */
function ruleHint(issue: z.core.$ZodIssue): string | undefined {
  if (issue.path[0] === 'kind') return 'set kind to "fixed", "anyres" or "dynamic"';
  if (issue.code === 'unrecognized_keys') {
    return 'fields: fixed {tokensPerImage}; anyres {patchSize, imageSize, gridPinpoints, newlineToken, unpad, implementation}; dynamic {patchSize, mergeSize, minPixels, maxPixels}';
  }
  return undefined;
}

/** Parse a rule config; InvalidInputError naming the field (under `where`) otherwise. */
export function parseImageTokenRule(value: unknown, where = 'imageTokens'): ImageTokenRule {
  const parsed = imageTokenRuleSchema.safeParse(value);
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error, ruleHint);
  return parsed.data;
}

/** Whether the rule depends on the image's size, i.e. whether its header must be read at all. */
export function needsImageSize(rule: ImageTokenRule): boolean {
  return rule.kind !== 'fixed';
}

/**
 * Why this rule cannot count an image of this size (a sample-reject reason), or undefined.
 * `fixed` accepts anything; the others need integer sides ≥ 1; `dynamic` also refuses aspect
 * ratios above 200:1, where Qwen2-VL's processor raises.
 */
export function imageSizeProblem(rule: ImageTokenRule, width: number, height: number): string | undefined {
  if (!needsImageSize(rule)) return undefined;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    return `image size ${width}×${height}: width and height must be integers ≥ 1`;
  }
  return rule.kind === 'dynamic' ? smartResizeProblem(height, width) : undefined;
}

/**
 * LLM tokens one `width × height` image (PIL's `Image.size`, EXIF orientation NOT applied) costs.
 * `fixed` ignores the size, so callers that skipped the header read (see needsImageSize) may pass
 * 0, 0. Throws InvalidInputError when imageSizeProblem reports one.
 */
export function imageTokens(rule: ImageTokenRule, width: number, height: number): number {
  const problem = imageSizeProblem(rule, width, height);
  if (problem !== undefined) throw new InvalidInputError('image', problem);
  switch (rule.kind) {
    case 'fixed':
      return rule.tokensPerImage;
    case 'anyres':
      return anyresImageTokens(rule, width, height);
    case 'dynamic':
      return dynamicImageTokens(rule, width, height);
  }
}
