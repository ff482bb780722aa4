/**
 * Image references → keys (lib/core/images/image-reference.ts), the check levels
 * (image-check.ts) and lone-surrogate text (corpus/text-checks.ts): pure rules, checked on their
 * edges and, for references, on random strings — a reference is accepted only if its key stays
 * inside the image root and reads the same in a folder and a bucket.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loneSurrogateProblem } from '../../lib/core/corpus/text-checks.js';
import { effectiveImageCheck, imageCheckProblem, imageSizeSanityProblem, PIL_MAX_IMAGE_PIXELS } from '../../lib/core/images/image-check.js';
import { imageKeyOf, imageReferenceProblem, MAX_IMAGE_KEY_BYTES } from '../../lib/core/images/image-reference.js';
import { parseImageTokenRule } from '../../lib/core/images/image-token-rule.js';

describe('imageReferenceProblem', () => {
  it('accepts relative paths, unicode and spaces included', () => {
    for (const ref of ['a.jpg', '00453/004539375.jpg', 'coco/train2017/000000033471.jpg', 'été/图 1.png', 'a..b.jpg', '.hidden.jpg']) {
      expect(imageReferenceProblem(ref, 'images'), ref).toBeUndefined();
    }
  });

  it.each([
    ['', 'empty image reference'],
    ['a\u0000.jpg', 'contains the control character U+0000 at character 1; an image path is printable text'],
    ['a\u007f.jpg', 'contains the control character U+007F at character 1; an image path is printable text'],
    ['a\udc00.jpg', "lone UTF-16 surrogate \\udc00 at character 1: not valid text (Python's tokenizers refuse it); fix the record's encoding"],
    ['s3://other/a.jpg', 'is a URL (s3:); download the images into the image root ("images") and reference them by relative path'],
    ['/abs/a.jpg', 'is absolute; image references are relative to the image root ("images"), so remove the leading \'/\''],
    ['a\\b.jpg', "contains a backslash; separate folders with '/'"],
    ['a/../../b.jpg', 'climbs out of the image root ("images") with ".."'],
    ['a/./b.jpg', 'has an empty or "." path segment (a doubled, leading "./" or trailing \'/\')'],
    ['a/', 'has an empty or "." path segment (a doubled, leading "./" or trailing \'/\')'],
    [`${'é'.repeat(128)}.jpg`, 'has a path segment of 260 bytes, over the 255-byte limit of a file name'],
  ])('rejects %j', (ref, reason) => {
    expect(imageReferenceProblem(ref, 'images')).toBe(reason);
  });

  it('counts the key limit in UTF-8 bytes, image root included', () => {
    const ref = `${'d/'.repeat(505)}x.jpg`; // 1,015 bytes
    expect(imageReferenceProblem(ref, 'img')).toBeUndefined(); // 1,019 with "img/"
    expect(imageReferenceProblem(ref, 'images/long')).toBe('is 1027 bytes long with the image root, over the 1024-byte limit of an object key');
  });

  it('accepts only references whose key stays under the root, with no segment a store would resolve', () => {
    const unit = fc.constantFrom('a', '.', '/', '\\', '..', ':', '\u0000', '\n', 'é', '\ud800', ' ', 'http:');
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 12 }).map((units) => units.join('')),
        (ref) => {
          if (imageReferenceProblem(ref, 'images') !== undefined) return;
          const key = imageKeyOf('images', ref);
          const segments = key.split('/');
          expect(segments[0]).toBe('images');
          expect(segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..')).toBe(true);
          expect(key).not.toMatch(/[\u0000-\u001f\u007f\\]/);
          expect(new TextEncoder().encode(key).length).toBeLessThanOrEqual(MAX_IMAGE_KEY_BYTES);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('image check levels', () => {
  const fixed = parseImageTokenRule({ kind: 'fixed' });
  const anyres = parseImageTokenRule({ kind: 'anyres' });

  it('raises exists to header where the rule reads sizes, and refuses none there', () => {
    expect(effectiveImageCheck('exists', fixed)).toBe('exists');
    expect(effectiveImageCheck('exists', anyres)).toBe('header');
    expect(effectiveImageCheck('decode', anyres)).toBe('decode');
    expect(imageCheckProblem('none', fixed)).toBeUndefined();
    expect(imageCheckProblem('none', anyres)).toMatch(/^"none" cannot be used with the anyres image-token rule/);
  });

  it("rejects headers over Pillow's decompression-bomb limit", () => {
    expect(imageSizeSanityProblem(10_000, 10_000)).toBeUndefined();
    expect(imageSizeSanityProblem(PIL_MAX_IMAGE_PIXELS + 1, 1)).toMatch(/over Pillow's limit of 178956970 \(DecompressionBombError\)/);
  });
});

describe('loneSurrogateProblem', () => {
  it('finds lone high and low surrogates, and accepts pairs', () => {
    expect(loneSurrogateProblem('ok 😀')).toBeNull();
    expect(loneSurrogateProblem('x\ud83d')).toMatch(/^lone UTF-16 surrogate \\ud83d at character 1/);
    expect(loneSurrogateProblem('\ude00x')).toMatch(/^lone UTF-16 surrogate \\ude00 at character 0/);
    expect(loneSurrogateProblem('\ude00\ud83d')).toMatch(/\\ude00 at character 0/);
  });
});
