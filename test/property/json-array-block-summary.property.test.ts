import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { composedOutcome, wholeScanOutcome, type PlanOutcome } from '../helpers/json-array-blocks.js';

// ---- Generators: JSON arrays that confuse scanners, and damaged copies of them ------------------

const trickyString = fc.string({
  unit: fc.oneof(fc.constantFrom('"', '\\', '\\"', '\\\\', '[', ']', '{', '}', ',', ':', '\n', ' '), fc.string({ maxLength: 2 })),
  maxLength: 12,
});

/** Nested records of depth ≤ 6 below the array (strings full of quotes, escapes and brackets). */
const { value: nestedValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    trickyString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
  ),
}));

const layout = fc.constantFrom<number | undefined>(undefined, 0, 1, 2);

/** A well-formed JSON array (element depth ≤ 10 overall), compact or indented, maybe with a BOM. */
const wellFormed = fc.tuple(fc.array(nestedValue, { maxLength: 10 }), layout, fc.boolean()).map(([values, indent, bom]) => {
  const text = JSON.stringify(values, null, indent);
  return (bom ? '\uFEFF' : '') + text;
});

const DAMAGE = [',', '}', ']', '{', '[', '"', '\\', ':', 'x', '1', ' ', '\n'];

/** Random malformations: stray bytes, deletions (a missing ',' among them), truncation, content after ']'. */
const damaged = fc
  .tuple(
    wellFormed,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...DAMAGE), fc.constantFrom('insert', 'delete')), { maxLength: 4 }),
    fc.option(fc.nat()),
    fc.option(fc.constantFrom(' {}', ']', ' 1', '[]', '\n')),
  )
  .map(([text, edits, cutAt, tail]) => {
    let out = text;
    for (const [at, char, kind] of edits) {
      const k = out.length === 0 ? 0 : at % (out.length + 1);
      out = kind === 'insert' ? out.slice(0, k) + char + out.slice(k) : out.slice(0, k) + out.slice(k + 1);
    }
    if (cutAt !== null && out.length > 0) out = out.slice(0, cutAt % out.length);
    return out + (tail ?? '');
  });

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const rawBytes = fc.uint8Array({ maxLength: 200 });

/** Block, chunk and window sizes for a source of `n` bytes: 1-byte blocks and windows included. */
const sizes = (n: number) =>
  fc.record({
    blockBytes: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: Math.max(1, n + 3) })),
    bytesPerChunk: fc.integer({ min: 1, max: Math.max(1, n) }),
    windowBytes: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 })),
  });

const source = fc.oneof({ weight: 2, arbitrary: wellFormed.map(encode) }, { weight: 3, arbitrary: damaged.map(encode) }, { weight: 1, arbitrary: rawBytes });

describe('JSON-array block summaries compose into the whole scan', () => {
  it('any bytes, block, chunk and window sizes: the same grid cuts, the same error, or an explicit fallback', async () => {
    const seen = { starts: 0, error: 0, fallback: 0 };
    await fc.assert(
      fc.asyncProperty(
        source.chain((bytes) => fc.tuple(fc.constant(bytes), sizes(bytes.length))),
        async ([bytes, { blockBytes, bytesPerChunk, windowBytes }]) => {
          const whole = await wholeScanOutcome(bytes, bytesPerChunk);
          const composed = await composedOutcome(bytes, blockBytes, bytesPerChunk, windowBytes);
          seen[kindOf(composed)]++;
          if (!('fallback' in composed)) expect(composed).toEqual(whole);
        },
      ),
      { numRuns: 600 },
    );
    expect(seen.starts).toBeGreaterThan(100);
    expect(seen.error).toBeGreaterThan(10);
  });

  it('never falls back on a well-formed array (depth ≤ 10), whatever the block size', async () => {
    await fc.assert(
      fc.asyncProperty(
        wellFormed.map(encode).chain((bytes) => fc.tuple(fc.constant(bytes), sizes(bytes.length))),
        async ([bytes, { blockBytes, bytesPerChunk, windowBytes }]) => {
          const composed = await composedOutcome(bytes, blockBytes, bytesPerChunk, windowBytes);
          expect(composed).toEqual(await wholeScanOutcome(bytes, bytesPerChunk));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('falls back, never answers wrong, when a block starts deeper than the summaries follow', async () => {
    const deep = encode(`[${'['.repeat(70)}"x"${']'.repeat(70)}, {"a": 1}]`);
    expect(await composedOutcome(deep, 72, 10, 16)).toMatchObject({ fallback: expect.stringContaining('deeper than the 64 depths') });
    for (const blockBytes of [1, 5, 40, 200]) {
      const composed = await composedOutcome(deep, blockBytes, 10, 7);
      if (!('fallback' in composed)) expect(composed).toEqual(await wholeScanOutcome(deep, 10));
    }
  });

  it('whole-file errors are the whole scan’s, word for word', async () => {
    for (const text of ['', '  ', '{"a": 1}', '[1, 2] x', '[{"a": "]"}]]']) {
      const whole = await wholeScanOutcome(encode(text), 3);
      expect(whole).toHaveProperty('error');
      for (const blockBytes of [1, 2, 4, 100]) expect(await composedOutcome(encode(text), blockBytes, 3, 3)).toEqual(whole);
    }
  });
});

function kindOf(outcome: PlanOutcome): 'starts' | 'error' | 'fallback' {
  return 'starts' in outcome ? 'starts' : 'error' in outcome ? 'error' : 'fallback';
}
