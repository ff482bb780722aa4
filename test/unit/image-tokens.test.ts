/**
 * Image-token rules. Every expected number below was derived by hand from the upstream code
 * (haotian-liu/LLaVA mm_utils.py + llava_arch.py; transformers qwen2_vl smart_resize +
 * processing_qwen2_vl.py) and cross-checked against a line-by-line Python transliteration of it
 * over 270,000 sizes (docs/image-tokens.md, "How the numbers were verified").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { anyresLayout, anyresMaxImageTokens, selectBestResolution, unpadFeatureShape } from '../../lib/core/images/anyres-tokens.js';
import { roundHalfEven, smartResize } from '../../lib/core/images/dynamic-tokens.js';
import {
  LLAVA_NEXT_GRID_PINPOINTS,
  imageSizeProblem,
  imageTokens,
  needsImageSize,
  parseImageTokenRule,
  type DynamicImageTokenRule,
  type ImageTokenRule,
} from '../../lib/core/images/image-token-rule.js';

/** Parse a rule and check it has the kind asked for (narrows the type for the algorithm functions). */
function ruleOf<K extends ImageTokenRule['kind']>(kind: K, fields: object = {}): Extract<ImageTokenRule, { kind: K }> {
  const rule = parseImageTokenRule({ kind, ...fields });
  if (rule.kind !== kind) throw new Error(`parsed a ${rule.kind} rule`);
  return rule as Extract<ImageTokenRule, { kind: K }>;
}

const fixed = ruleOf('fixed');
const anyres = ruleOf('anyres');
/** Hugging Face transformers' LlavaNext port of the same config. */
const anyresHf = ruleOf('anyres', { implementation: 'transformers' });
const dynamic = ruleOf('dynamic');
/** Qwen2-VL Hub checkpoints: "4-16384 visual tokens per image" (max_pixels 28·28·16384). */
const dynamicHub = ruleOf('dynamic', { maxPixels: 28 * 28 * 16384 });

const side = fc.integer({ min: 1, max: 8000 });

describe('rule schema', () => {
  it('fills the upstream defaults', () => {
    expect(fixed).toEqual({ kind: 'fixed', tokensPerImage: 576 });
    expect(anyres).toEqual({
      kind: 'anyres',
      patchSize: 14,
      imageSize: 336,
      gridPinpoints: LLAVA_NEXT_GRID_PINPOINTS,
      newlineToken: true,
      unpad: true,
      implementation: 'llava',
    });
    expect(dynamic).toEqual({ kind: 'dynamic', patchSize: 14, mergeSize: 2, minPixels: 3136, maxPixels: 1003520 });
  });

  it('says what to change', () => {
    const errorOf = (value: unknown) => {
      try {
        parseImageTokenRule(value);
      } catch (error) {
        return error as InvalidInputError;
      }
      throw new Error('expected a rejection');
    };
    expect(errorOf({ kind: 'anyres', gridPinpoints: [[336, 700]] }).message).toMatch(/gridPinpoints\.0.*multiples of imageSize 336/);
    expect(errorOf({ kind: 'anyres', imageSize: 300 }).message).toMatch(/imageSize 300 must be a multiple of patchSize 14/);
    expect(errorOf({ kind: 'dynamic', minPixels: 5000, maxPixels: 4000 }).message).toMatch(/minPixels 5000 is above maxPixels 4000/);
    expect(errorOf({ kind: 'tiles' }).message).toMatch(/set kind to "fixed", "anyres" or "dynamic"/);
    expect(errorOf({ kind: 'fixed', tokens: 576 }).message).toMatch(/Unrecognized key.*fixed \{tokensPerImage\}/);
    expect(errorOf({ kind: 'fixed', tokensPerImage: 0 })).toBeInstanceOf(InvalidInputError);
  });

  it('reads a header only for size-dependent rules', () => {
    expect([fixed, anyres, dynamic].map(needsImageSize)).toEqual([false, true, true]);
  });
});

describe('fixed', () => {
  it('ignores the size', () => {
    expect(imageTokens(fixed, 0, 0)).toBe(576);
    expect(imageTokens(fixed, 4000, 3000)).toBe(576);
    // SigLIP-so400m/14 at 384 px: 27² = 729 patches.
    expect(imageTokens(ruleOf('fixed', { tokensPerImage: 729 }), 640, 480)).toBe(729);
  });
});

describe('anyres (LLaVA-NeXT)', () => {
  it('672×672: 2×2 tiles, no padding → the upper bound 576 + 48·49 = 2,928', () => {
    // [672,672] keeps all 451,584 pixels (scale 1); every other pinpoint keeps fewer. Feature map
    // 48×48; aspect 1.0 is not > 1.0, so the width branch: int(672·48/672) = 48, padding 0.
    expect(anyresLayout(anyres, 672, 672)).toMatchObject({ tileColumns: 2, tileRows: 2, featureRows: 48, featureColumns: 48 });
    expect(imageTokens(anyres, 672, 672)).toBe(2928);
    expect(anyresMaxImageTokens(anyres)).toBe(2928);
  });

  it('672×672 without unpad/newline is the often-quoted 5 × 576 = 2,880 (mm_patch_merge_type "spatial")', () => {
    const spatial = ruleOf('anyres', { unpad: false, newlineToken: false });
    expect(imageTokens(spatial, 672, 672)).toBe(2880);
  });

  it('336×672 (w×h): first pinpoint, 1×2 tiles, exact fit → 576 + 48·25 = 1,776', () => {
    // [336,672], [672,672] and [336,1008] all keep the full 225,792 pixels; [336,672] wastes none.
    expect(selectBestResolution(336, 672, LLAVA_NEXT_GRID_PINPOINTS)).toEqual([336, 672]);
    expect(imageTokens(anyres, 336, 672)).toBe(1776);
  });

  it('1000×250: 3×1 tiles, unpadded to 18 of 24 rows → 576 + 18·73 = 1,890', () => {
    // [1008,336]: scale min(1.008, 1.344) → 1008×252 ≥ 250,000 px, the only pinpoint keeping all.
    // Aspect 4 > 72/24 = 3, so rows are cropped: int(250 · (72/1000)) = 18, padding (24−18)//2 = 3.
    expect(anyresLayout(anyres, 1000, 250)).toMatchObject({
      bestResolution: [1008, 336],
      tileColumns: 3,
      tileRows: 1,
      featureRows: 18,
      featureColumns: 72,
    });
    expect(imageTokens(anyres, 1000, 250)).toBe(1890);
  });

  it('640×480 (COCO): 2×2 tiles, rows cropped to 36 → 576 + 36·49 = 2,340', () => {
    // [672,672] at scale 1.05 holds 672×504 ≥ 307,200 px (capped); wide pinpoints keep 150,528.
    // int(480 · (48/640)) = 36, padding (48−36)//2 = 6.
    expect(imageTokens(anyres, 640, 480)).toBe(2340);
  });

  it("mirrors Python's float truncation: 88×55 → 926, not the exact-arithmetic 976", () => {
    // 1×2 tiles (48×24 features); 55 · (24/88) is 14.999999999999998 in doubles, int() → 14,
    // padding (48−14)//2 = 17, rows 48 − 34 = 14: 576 + 14·25 = 926. Exact 15 would give 16 rows.
    expect(unpadFeatureShape(48, 24, 88, 55)).toEqual({ rows: 14, columns: 24 });
    expect(imageTokens(anyres, 88, 55)).toBe(926);
  });

  it('keeps the first pinpoint on ties: a wide 300×20 strip gets the tall 1×2 grid → 626', () => {
    // Both [336,672] and [672,336] keep all 6,000 px and waste 219,792: the first wins (strict <).
    // Unpad: int(20 · 0.08) = 1, padding (48−1)//2 = 23, slice [23:25] → 2 rows: 576 + 2·25.
    expect(selectBestResolution(300, 20, LLAVA_NEXT_GRID_PINPOINTS)).toEqual([336, 672]);
    expect(imageTokens(anyres, 300, 20)).toBe(626);
  });

  it('counts newline tokens on rows unpadding emptied: 10×1000 → 576 + 72·(0+1) = 648', () => {
    // [336,1008] (1×3 tiles, 72×24); int(10 · 0.072) = 0 columns, padding 12 → an empty slice.
    expect(anyresLayout(anyres, 10, 1000)).toMatchObject({ featureRows: 72, featureColumns: 0, tokens: 648 });
  });

  it("transformers' LlavaNext agrees on large images and differs on small ones, as its code does", () => {
    // Same numbers from LlavaNextProcessor._get_number_of_features (transformers 5.18.0) for these.
    for (const [width, height, tokens] of [
      [672, 672, 2928],
      [336, 672, 1776],
      [1000, 250, 1890],
      [640, 480, 2340],
      [10, 1000, 648],
    ] as const) {
      expect(imageTokens(anyresHf, width, height)).toBe(tokens);
    }
    // 88×55: transformers reads [336, 672] as height × width, so the first (winning) tie is the
    // WIDE 2×1 grid (24×48 features); int(round(88 · (24/55), 7)) = 38 columns, padding 5:
    // 576 + 24·(38+1) = 1,512 — LLaVA's own code gives 926 for the same image.
    expect(anyresLayout(anyresHf, 88, 55)).toMatchObject({ bestResolution: [672, 336], featureRows: 24, featureColumns: 38 });
    expect(imageTokens(anyresHf, 88, 55)).toBe(1512);
    // 300×20: the wide grid again: int(round(20 · (48/300), 7)) = 3 rows, padding 10 → 4 rows: 576 + 4·49.
    expect(imageTokens(anyresHf, 300, 20)).toBe(772);
  });

  it('stays within [base, base + largest full grid with newlines], rows and columns within the grid', () => {
    const most = anyresMaxImageTokens(anyres);
    fc.assert(
      fc.property(side, side, fc.constantFrom(anyres, anyresHf), (width, height, rule) => {
        const layout = anyresLayout(rule, width, height);
        expect(layout.tokens).toBeGreaterThanOrEqual(576);
        expect(layout.tokens).toBeLessThanOrEqual(most);
        expect(layout.featureRows).toBeLessThanOrEqual(layout.tileRows * 24);
        expect(layout.featureColumns).toBeLessThanOrEqual(layout.tileColumns * 24);
        expect(layout.tokens).toBe(576 + layout.featureRows * (layout.featureColumns + 1));
        expect(imageTokens(rule, width, height)).toBe(layout.tokens);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('dynamic (Qwen2-VL smart_resize)', () => {
  it("rounds halves to even, as Python's round()", () => {
    expect([14, 42, 70, 98].map((n) => roundHalfEven(n, 28))).toEqual([0, 2, 2, 4]);
    expect([13, 15, 41, 43].map((n) => roundHalfEven(n, 28))).toEqual([0, 1, 1, 2]);
  });

  it('640×480 → 644×476 → 23·17 = 391 tokens', () => {
    // round(480/28 = 17.14) = 17 → 476; round(640/28 = 22.86) = 23 → 644; 306,544 px is in range.
    expect(smartResize(480, 640, 28, 3136, 1003520)).toEqual({ height: 476, width: 644 });
    expect(imageTokens(dynamic, 640, 480)).toBe(391);
  });

  it('224×224 → 8·8 = 64; 1000×250 → 1008×252 → 36·9 = 324', () => {
    expect(imageTokens(dynamic, 224, 224)).toBe(64);
    expect(imageTokens(dynamic, 1000, 250)).toBe(324);
  });

  it('1920×1080: downscaled to 1316×728 → 1,222 under 1280·784 px; 1932×1092 → 2,691 under the Hub max', () => {
    // 1932×1092 = 2,109,744 > 1,003,520: beta = sqrt(2,073,600 / 1,003,520) = 1.43747…,
    // floor(1080/beta/28 = 26.83) = 26 → 728, floor(1920/beta/28 = 47.70) = 47 → 1316.
    expect(smartResize(1080, 1920, 28, 3136, 1003520)).toEqual({ height: 728, width: 1316 });
    expect(imageTokens(dynamic, 1920, 1080)).toBe(1222);
    expect(imageTokens(dynamicHub, 1920, 1080)).toBe(69 * 39);
  });

  it('70×70: round(2.5) = 2 → 56×56 = min_pixels exactly → 4 tokens (ties-away would give 9)', () => {
    expect(imageTokens(dynamic, 70, 70)).toBe(4);
  });

  it('14×2048: the 14-px side rounds to 0, so the upscale branch → 28×700 → 25 tokens', () => {
    // beta = sqrt(3136 / 28,672) = 0.33072; ceil(2048·beta/28 = 24.19) = 25 → 700; ceil(0.165) = 1 → 28.
    expect(smartResize(2048, 14, 28, 3136, 1003520)).toEqual({ height: 700, width: 28 });
    expect(imageTokens(dynamic, 14, 2048)).toBe(25);
  });

  it('keeps the max(factor, …) guard: 28×5000 under max_pixels 3136 → 28×728 → 26 tokens, not 0', () => {
    // beta = sqrt(140,000 / 3136) = 6.68; floor(28/beta/28) = 0 → guarded to 28; floor(26.73) = 26 → 728.
    const tiny = ruleOf('dynamic', { maxPixels: 3136 });
    expect(imageTokens(tiny, 28, 5000)).toBe(26);
  });

  it('rejects aspect ratios above 200:1 as upstream raises; 200:1 itself is fine', () => {
    expect(imageSizeProblem(dynamic, 201, 1)).toMatch(/aspect ratio 201\.0:1 .* limit of 200:1/);
    expect(() => imageTokens(dynamic, 201, 1)).toThrow(InvalidInputError);
    // 200×1: round(1/28) = 0 → upscale: beta = sqrt(3136/200); ceil(28.28) = 29 → 812×28 → 29 tokens.
    expect(imageTokens(dynamic, 200, 1)).toBe(29);
  });

  const withinBounds = (rule: DynamicImageTokenRule) =>
    fc.property(side, side, (width, height) => {
      fc.pre(Math.max(width, height) <= 200 * Math.min(width, height));
      const resized = smartResize(height, width, 28, rule.minPixels, rule.maxPixels);
      const pixels = resized.height * resized.width;
      expect(resized.height % 28).toBe(0);
      expect(resized.width % 28).toBe(0);
      expect(pixels).toBeGreaterThanOrEqual(rule.minPixels);
      expect(pixels).toBeLessThanOrEqual(rule.maxPixels);
      expect(imageTokens(rule, width, height)).toBe(pixels / 784);
    });

  it('resizes into [minPixels, maxPixels], so tokens are within [3136, 1003520] / 784 = [4, 1280]', () => {
    fc.assert(withinBounds(dynamic), { numRuns: 3000 });
  });

  it('and within [4, 16384] under the Hub max_pixels', () => {
    fc.assert(withinBounds(dynamicHub), { numRuns: 3000 });
  });
});

describe('sizes the size-dependent rules refuse', () => {
  it('names non-positive or fractional sizes', () => {
    for (const rule of [anyres, dynamic]) {
      expect(imageSizeProblem(rule, 0, 10)).toMatch(/integers ≥ 1/);
      expect(imageSizeProblem(rule, 10.5, 10)).toMatch(/integers ≥ 1/);
      expect(() => imageTokens(rule, -1, 10)).toThrow(InvalidInputError);
    }
    expect(imageSizeProblem(fixed, 0, 0)).toBeUndefined();
  });
});
