import { describe, expect, it } from 'vitest';
import { drawEpochMultiset } from '../../lib/core/mixture/draw-epoch-multiset.js';
import { sourceRotation } from '../../lib/core/mixture/rotation.js';
import { resolveEpochCounts, sourceWeightSchema } from '../../lib/core/mixture/source-weights.js';

describe('sourceRotation', () => {
  it('puts every sample of the source at a distinct position, for every size up to 300', () => {
    for (let n = 1; n <= 300; n++) {
      const { stride, offset } = sourceRotation(n, 42n, 3);
      const seen = new Uint8Array(n);
      for (let i = 0; i < n; i++) seen[(stride * i + offset) % n]! += 1;
      expect(
        seen.every((count) => count === 1),
        `n=${n}`,
      ).toBe(true);
    }
  });

  it('is pinned by vectors (mixture-rotation@1): a change would change every mixed epoch', () => {
    expect([sourceRotation(1000, 42n, 0), sourceRotation(1000, 42n, 1), sourceRotation(999_983, 7n, 0)]).toMatchInlineSnapshot(`
      [
        {
          "offset": 197,
          "size": 1000,
          "stride": 489,
        },
        {
          "offset": 228,
          "size": 1000,
          "stride": 407,
        },
        {
          "offset": 388683,
          "size": 999983,
          "stride": 604135,
        },
      ]
    `);
  });

  it('depends on the seed and the source', () => {
    expect(sourceRotation(10_000, 1n, 0)).not.toEqual(sourceRotation(10_000, 2n, 0));
    expect(sourceRotation(10_000, 1n, 0)).not.toEqual(sourceRotation(10_000, 1n, 1));
  });
});

const weights = (...items: unknown[]) => items.map((item) => (item === undefined ? undefined : sourceWeightSchema.parse(item)));
const countsOf = (names: string[], sizes: number[], w: ReturnType<typeof weights>) => resolveEpochCounts(names, sizes, w).map((c) => c.count);

describe('resolveEpochCounts', () => {
  it('keeps every sample once without weights', () => {
    expect(countsOf(['a', 'b'], [10, 20], weights(undefined, undefined))).toEqual([10, 20]);
  });

  it('applies repeat (rounding half up), samples, and proportions of the total', () => {
    expect(countsOf(['a', 'b', 'c'], [10, 7, 100], weights({ repeat: 2.5 }, { repeat: 0.5 }, { samples: 40 }))).toEqual([25, 4, 40]);
    // a is fixed at 100 (once); b is 20% of the total: T = 100 / 0.8 = 125.
    expect(countsOf(['a', 'b'], [100, 1000], weights(undefined, { proportion: 0.2 }))).toEqual([100, 25]);
    // Every source a proportion: they share the corpus's size.
    expect(countsOf(['a', 'b'], [100, 300], weights({ proportion: 0.5 }, { proportion: 0.5 }))).toEqual([200, 200]);
  });

  it('names the source and field of unsatisfiable weights', () => {
    expect(() => resolveEpochCounts(['a', 'b'], [10, 10], weights(undefined, { proportion: 0.6 }).concat(weights({ proportion: 0.5 })))).toThrow(
      /mixture\["b"\]\.proportion.*sum to 1\.1/,
    );
    expect(() => resolveEpochCounts(['a', 'b', 'c'], [10, 10, 10], weights({ proportion: 0.5 }, { proportion: 0.5 }, undefined))).toThrow(
      /other sources.*below 1/,
    );
    expect(() => resolveEpochCounts(['a', 'b'], [10, 10], weights({ proportion: 0.3 }, { proportion: 0.3 }))).toThrow(/sum to 0\.6.*must sum to 1/);
    expect(sourceWeightSchema.safeParse({ repeat: 2, samples: 3 }).error?.issues[0]?.message).toMatch(
      /give one of repeat, samples, proportion; this source has repeat and samples/,
    );
    expect(sourceWeightSchema.safeParse({ repeat: -1 }).success).toBe(false);
    expect(sourceWeightSchema.safeParse({ repeat: Number.POSITIVE_INFINITY }).success).toBe(false);
  });

  it('warns, not fails, when a weight rounds a source to zero', () => {
    const [, b] = resolveEpochCounts(['a', 'b'], [1000, 3], weights(undefined, { repeat: 0.1 }));
    expect(b).toEqual({ count: 0, warning: 'source "b": its weight rounds to 0 samples this epoch' });
  });
});

describe('drawEpochMultiset', () => {
  const sourceIndex = Int32Array.from({ length: 30 }, (_, id) => (id < 10 ? 0 : 1));

  it('is the identity population when every source is drawn once', () => {
    const { population, perSource } = drawEpochMultiset(sourceIndex, [10, 20], 42n, 0);
    expect(Array.from(population)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(perSource).toEqual([
      { drawn: 10, distinct: 10 },
      { drawn: 20, distinct: 20 },
    ]);
  });

  it('repeat 2.5: every sample twice, a seeded half three times', () => {
    const { population, perSource } = drawEpochMultiset(sourceIndex, [25, 20], 42n, 0);
    const copies = new Map<number, number>();
    for (const id of population) copies.set(id, (copies.get(id) ?? 0) + 1);
    const a = [...Array(10).keys()].map((id) => copies.get(id));
    expect(a.every((c) => c === 2 || c === 3)).toBe(true);
    expect(a.filter((c) => c === 3)).toHaveLength(5);
    expect(perSource[0]).toEqual({ drawn: 25, distinct: 10 });
    expect([...population].every((id, i) => i === 0 || population[i - 1]! <= id)).toBe(true);
  });

  it('repeat 0.3 rotates: no sample twice before the source has been seen whole', () => {
    const seen = new Map<number, number>();
    for (let epoch = 0; epoch < 4; epoch++) {
      const { population } = drawEpochMultiset(sourceIndex, [3, 20], 7n, epoch);
      const fromA = [...population].filter((id) => id < 10);
      expect(fromA).toHaveLength(3);
      for (const id of fromA) seen.set(id, (seen.get(id) ?? 0) + 1);
      if (epoch === 2) expect([...seen.values()].every((c) => c === 1)).toBe(true);
    }
    expect(seen.size).toBe(10);
  });

  it('is pinned by a vector: which samples of a down-sampled source epoch 0 and 1 draw', () => {
    const draw = (epoch: number) => [...drawEpochMultiset(sourceIndex, [3, 20], 7n, epoch).population].filter((id) => id < 10);
    expect([draw(0), draw(1)]).toMatchInlineSnapshot(`
      [
        [
          1,
          4,
          7,
        ],
        [
          0,
          3,
          6,
        ],
      ]
    `);
  });

  it('depends on the seed and the epoch, never on anything else', () => {
    const a = drawEpochMultiset(sourceIndex, [4, 20], 1n, 0).population;
    expect(drawEpochMultiset(sourceIndex, [4, 20], 1n, 0).population).toEqual(a);
    expect(drawEpochMultiset(sourceIndex, [4, 20], 2n, 0).population).not.toEqual(a);
    expect(drawEpochMultiset(sourceIndex, [4, 20], 1n, 1).population).not.toEqual(a);
  });
});
