import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { IMAGE_TOKEN_ID } from '../../lib/core/tokenize/tokenizer.js';
import { effectiveLength, planDocumentSplit, splitDocumentSample } from '../../lib/core/templates/split-document.js';

const IMG = IMAGE_TOKEN_ID;

/** A body of text ids (10..99) and images, with per-image costs. */
const bodyArbitrary = fc.array(fc.oneof(fc.integer({ min: 10, max: 99 }), fc.constant(IMG)), { maxLength: 60 }).chain((ids) => {
  const images = ids.filter((id) => id === IMG).length;
  return fc.record({
    ids: fc.constant(Int32Array.from(ids)),
    costs: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: images, maxLength: images }),
    budget: fc.integer({ min: 12, max: 40 }),
  });
});

/** Effective cost of body[start, end) given the index of its first image. */
function partCost(ids: Int32Array, costs: readonly number[], start: number, end: number): number {
  let image = 0;
  for (let i = 0; i < start; i++) if (ids[i] === IMG) image += 1;
  let cost = 0;
  for (let i = start; i < end; i++) cost += ids[i] === IMG ? costs[image++]! : 1;
  return cost;
}

describe('planDocumentSplit (invariants)', () => {
  it('covers the body with increasing cuts, every part within budget, each part as full as the next token allows', () => {
    fc.assert(
      fc.property(bodyArbitrary, ({ ids, costs, budget }) => {
        const cuts = Array.from(planDocumentSplit(ids, (k) => costs[k]!, budget));
        expect(cuts[0]).toBe(0);
        expect(cuts[cuts.length - 1]).toBe(ids.length);
        for (let p = 0; p + 1 < cuts.length; p++) {
          const [start, end] = [cuts[p]!, cuts[p + 1]!];
          if (ids.length > 0) expect(end).toBeGreaterThan(start);
          expect(partCost(ids, costs, start, end)).toBeLessThanOrEqual(budget);
          // Greedy: the part could not also have taken the token (or image) that starts the next one.
          if (p + 2 < cuts.length) expect(partCost(ids, costs, start, end + 1)).toBeGreaterThan(budget);
        }
      }),
    );
  });

  it('is the identity when everything fits', () => {
    expect(Array.from(planDocumentSplit(Int32Array.from([11, IMG, 12]), () => 5, 7))).toEqual([0, 3]);
    expect(Array.from(planDocumentSplit(new Int32Array(0), () => 5, 7))).toEqual([0, 0]);
  });

  it('cuts next to an image, never inside its span', () => {
    // 3 text + image(4) = 7 fits; the next image (4) does not fit after 1 more token of 7.
    const ids = Int32Array.from([11, 12, 13, IMG, 14, IMG, 15]);
    expect(Array.from(planDocumentSplit(ids, () => 4, 7))).toEqual([0, 4, 7]);
  });

  it('refuses an image larger than a part, saying what to change', () => {
    expect(() => planDocumentSplit(Int32Array.from([11, IMG]), () => 9, 8)).toThrow(/image 0 needs 9 tokens but a part holds at most 8.*raise maxLength/);
    expect(() => planDocumentSplit(Int32Array.from([11]), () => 1, 0)).toThrow(InvalidInputError);
    expect(() => planDocumentSplit(Int32Array.from([IMG]), () => 1.5, 8)).toThrow(/imageTokens\(0\)/);
  });
});

describe('splitDocumentSample', () => {
  it('re-frames every part with BOS and EOS and loses no token', () => {
    fc.assert(
      fc.property(bodyArbitrary, fc.boolean(), ({ ids, costs, budget }, hasBos) => {
        const framed = Int32Array.from([...(hasBos ? [1] : []), ...ids, 2]);
        const labels = framed.map((id) => (id === IMG ? -100 : id));
        const maxLength = budget + (hasBos ? 1 : 0) + 1;
        const parts = splitDocumentSample(framed, labels, { hasBos }, (k) => costs[k]!, maxLength);
        const body: number[] = [];
        let imagesBefore = 0;
        for (const part of parts) {
          // Image k of a part is image imagesBefore + k of the document.
          const partLength = effectiveLength(part.inputIds, (k) => costs[imagesBefore + k]!);
          expect(partLength).toBeLessThanOrEqual(maxLength);
          imagesBefore += part.inputIds.filter((id) => id === IMG).length;
          if (hasBos) expect(part.inputIds[0]).toBe(1);
          expect(part.inputIds[part.inputIds.length - 1]).toBe(2);
          expect(Array.from(part.labels)).toEqual(Array.from(part.inputIds, (id) => (id === IMG ? -100 : id)));
          body.push(...part.inputIds.subarray(hasBos ? 1 : 0, part.inputIds.length - 1));
        }
        expect(body).toEqual(Array.from(ids));
      }),
    );
  });

  it('measures images of later parts with their index in the whole document', () => {
    const framed = Int32Array.from([1, IMG, 11, IMG, 12, 2]);
    const seen: number[] = [];
    const parts = splitDocumentSample(framed, framed, { hasBos: true }, (k) => (seen.push(k), k === 0 ? 3 : 2), 6);
    expect(parts.map((p) => Array.from(p.inputIds))).toEqual([
      [1, IMG, 11, 2],
      [1, IMG, 12, 2],
    ]);
    expect(new Set(seen)).toEqual(new Set([0, 1]));
  });
});
