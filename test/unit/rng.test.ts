import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { torchRandperm } from '../../lib/core/rng/randperm.js';
import { fisherYatesPairs, shufflePairsInto, uniformBelow } from '../../lib/core/rng/shuffle.js';
import { sampleDistinct } from '../../lib/core/rng/sample-distinct.js';

const draws = (rng: Mt19937, count: number) => Array.from({ length: count }, () => rng.nextUint32());

describe('Mt19937 seeded as torch.manual_seed', () => {
  it('gives the reference first output for seed 5489 (the MT19937 default)', () => {
    expect(Mt19937.fromTorchSeed(5489).nextUint32()).toBe(3499211612);
  });

  it('reproduces torch.randperm(10) for seeds that public torch tests hard-code', () => {
    const vectors: Array<[bigint, number[]]> = [
      [0n, [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]],
      [1n, [5, 6, 1, 2, 0, 8, 9, 3, 7, 4]],
      [42n, [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]],
      [(1n << 53n) - 1n, [1, 4, 6, 2, 0, 5, 8, 7, 9, 3]],
    ];
    for (const [seed, expected] of vectors) {
      expect(Array.from(torchRandperm(10, Mt19937.fromTorchSeed(seed)))).toEqual(expected);
    }
  });

  it('uses only the low 32 bits of the seed, as torch does', () => {
    const high = torchRandperm(50, Mt19937.fromTorchSeed((1n << 32n) + 1n));
    expect(high).toEqual(torchRandperm(50, Mt19937.fromTorchSeed(1)));
  });

  it('reproduces randperm(16) with seed 7 (notes §9, T1)', () => {
    expect(Array.from(torchRandperm(16, Mt19937.fromTorchSeed(7)))).toEqual([15, 8, 0, 7, 11, 2, 13, 12, 3, 1, 14, 9, 4, 6, 10, 5]);
  });

  it('consumes exactly n − 1 draws per randperm(n), and none for n ≤ 1', () => {
    for (const n of [0, 1, 2, 17, 1000]) {
      const a = Mt19937.fromTorchSeed(3);
      torchRandperm(n, a);
      const b = Mt19937.fromTorchSeed(3);
      b.discard(Math.max(n - 1, 0));
      expect(a.nextUint32()).toBe(b.nextUint32());
    }
  });

  it('rejects seeds outside [0, 2^64) and non-integers', () => {
    expect(() => Mt19937.fromTorchSeed(-1)).toThrow(/outside/);
    expect(() => Mt19937.fromTorchSeed(1n << 64n)).toThrow(/outside/);
    expect(() => Mt19937.fromTorchSeed(1.5)).toThrow(/exact integer/);
  });
});

describe('Mt19937 seeded by init_by_array (our own streams)', () => {
  // Vectors from CPython 3.11: random.seed(sum(w << 32*i)) then getrandbits(32); CPython seeds
  // with init_by_array over the integer's 32-bit words, so these pin our key schedule.
  const vectors: Array<[number[], number[], number]> = [
    [[0], [3626764237, 1654615998, 3255389356, 3823568514, 1806341205], 42796075],
    [[42, 0, 7, 0x62616c31], [2424305741, 1393876871, 3162977184, 1779750203, 3857939120], 1123390666],
    [[0xffffffff, 0xffffffff, 123, 0x62616c31, 5, 6], [542022283, 1052312923, 86200077, 1983354504, 3489816180], 1729363132],
  ];
  it.each(vectors)('key %j matches CPython random', (key, first, thousandth) => {
    const rng = Mt19937.fromKey(key);
    expect(draws(rng, 5)).toEqual(first);
    expect(draws(rng, 1000).at(-1)).toBe(thousandth);
  });

  it('discard(k) equals k unused draws, across twist boundaries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), (k) => {
        const a = Mt19937.fromKey([k]);
        const b = Mt19937.fromKey([k]);
        draws(a, k);
        b.discard(k);
        return a.nextUint32() === b.nextUint32();
      }),
      { numRuns: 50 },
    );
  });
});

describe('uniformBelow', () => {
  it('agrees with an independent BigInt implementation of the same rejection rules', () => {
    const reference = (rng: Mt19937, bound: number): number => {
      const b = BigInt(bound);
      if (bound > 1 << 21) {
        const reject = (1n << 32n) % b;
        for (;;) {
          const x = BigInt(rng.nextUint32());
          if (x >= reject) return Number(x % b);
        }
      }
      const threshold = ((1n << 32n) - b) % b;
      for (;;) {
        const product = BigInt(rng.nextUint32()) * b;
        if ((product & 0xffffffffn) >= threshold) return Number(product >> 32n);
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 }), fc.nat(), (bound, seed) => {
        const a = Mt19937.fromKey([seed]);
        const b = Mt19937.fromKey([seed]);
        for (let i = 0; i < 20; i++) if (uniformBelow(a, bound) !== reference(b, bound)) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('is roughly uniform (chi-square over 7 cells)', () => {
    const rng = Mt19937.fromKey([99]);
    const cells = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) cells[uniformBelow(rng, 7)]++;
    const chi = cells.reduce((sum, c) => sum + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi).toBeLessThan(22.46); // p = 0.001 for 6 degrees of freedom
  });
});

describe('shufflePairsInto', () => {
  it('permutes ids and carries each value along with its id, for bucketed and plain sizes', () => {
    for (const n of [0, 1, 2, 1000, 300_000]) {
      const srcIds = Int32Array.from({ length: n + 2 }, (_, i) => i - 1);
      const srcValues = srcIds.map((id) => id * 3 + 1);
      const ids = new Int32Array(n + 2).fill(-7);
      const values = new Int32Array(n + 2);
      // Shuffle the range [1, n + 1) only: the ends must stay untouched.
      shufflePairsInto(srcIds, srcValues, ids, values, 1, n + 1, Mt19937.fromKey([n]));
      expect([ids[0], ids[n + 1]]).toEqual([-7, -7]);
      ids.copyWithin(0, 1, n + 1);
      values.copyWithin(0, 1, n + 1);
      expect(ids.subarray(0, n).slice().sort()).toEqual(Int32Array.from({ length: n }, (_, i) => i));
      for (let i = 0; i < n; i++) expect(values[i]).toBe(ids[i]! * 3 + 1);
    }
  });

  it('is pinned: a change to the stream or the algorithm changes every balanced plan', () => {
    const ids = Int32Array.from({ length: 12 }, (_, i) => i);
    const values = ids.slice();
    fisherYatesPairs(ids, values, 0, 12, Mt19937.fromKey([2024, 0, 0, 0x62616c31]));
    expect(Array.from(ids)).toEqual([6, 1, 5, 3, 8, 0, 2, 7, 9, 11, 4, 10]);
  });

  it('places every element in every position about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array(n).fill(0));
    const rng = Mt19937.fromKey([5]);
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      const ids = Int32Array.from({ length: n }, (_, i) => i);
      fisherYatesPairs(ids, ids.slice(), 0, n, rng);
      ids.forEach((id, position) => counts[id]![position]++);
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(trials / n / 10);
  });
});

describe('sampleDistinct', () => {
  it('returns k distinct ascending values below n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.nat(), fc.nat(), (n, k0, seed) => {
        const k = n === 0 ? 0 : k0 % (n + 1);
        const out = sampleDistinct(n, k, Mt19937.fromKey([seed]));
        if (out.length !== k) return false;
        for (let i = 0; i < k; i++) if (out[i]! < 0 || out[i]! >= n || (i > 0 && out[i]! <= out[i - 1]!)) return false;
        return true;
      }),
    );
  });
});
