import { describe, expect, it } from 'vitest';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { pythonRandbelow, pythonRandom, pythonShuffleInPlace } from '../../lib/core/packing/python-random.js';
import { numpyRandomInterval, numpyShuffleInPlace } from '../../lib/core/packing/numpy-random-state.js';
import { numpyArgsort, numpyHeapArgsort } from '../../lib/core/packing/numpy-argsort.js';
import { pythonRound, xtunerProxyFlops } from '../../lib/core/packing/xtuner-proxy-flops.js';

// Reference vectors printed by CPython 3.11 (`random`) and numpy 1.24.4 (`RandomState`, `argsort`),
// whose scalar sorts and legacy random are those of 1.24.2.
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('CPython random (XTuner V1 sampler group shuffle)', () => {
  it.each([
    [0n, [1, 9, 8, 5, 10, 2, 3, 7, 4, 0, 11, 6]],
    [42n, [7, 5, 2, 8, 9, 6, 11, 3, 4, 0, 1, 10]],
    [2n ** 32n + 5n, [9, 6, 8, 11, 3, 1, 10, 5, 0, 4, 7, 2]],
    [2n ** 64n - 1n, [1, 8, 6, 9, 2, 11, 4, 7, 10, 5, 3, 0]],
  ])('random.Random(%s).shuffle(list(range(12)))', (seed, expected) => {
    const items = range(12);
    pythonShuffleInPlace(items, pythonRandom(seed));
    expect(Array.from(items)).toEqual(expected);
  });

  it('_randbelow draws k-bit values and rejects (random.Random(7))', () => {
    const rng = pythonRandom(7n);
    expect([1, 2, 3, 5, 1000, 2 ** 31 + 1].map((n) => pythonRandbelow(rng, n))).toEqual([0, 0, 1, 0, 74, 404285457]);
  });

  it('refuses bounds it would draw differently from CPython (2^32 needs 33 bits)', () => {
    expect(() => pythonRandbelow(pythonRandom(1n), 2 ** 32)).toThrow(RangeError);
  });
});

describe('numpy RandomState (XTuner V1 hard packing shuffle)', () => {
  it.each([
    [0, [6, 11, 4, 10, 2, 8, 1, 7, 9, 3, 0, 5]],
    [42, [10, 9, 0, 8, 5, 2, 1, 11, 4, 7, 3, 6]],
    [4294967295, [11, 8, 5, 9, 1, 10, 6, 0, 4, 7, 2, 3]],
  ])('RandomState(%i).shuffle(np.arange(12))', (seed, expected) => {
    const items = range(12);
    numpyShuffleInPlace(items, Mt19937.fromTorchSeed(seed));
    expect(Array.from(items)).toEqual(expected);
  });

  it('random_interval(0) draws nothing; larger bounds only ever return values in [0, max]', () => {
    const a = Mt19937.fromTorchSeed(3);
    expect(numpyRandomInterval(a, 0)).toBe(0);
    expect(a.nextUint32()).toBe(Mt19937.fromTorchSeed(3).nextUint32());
    for (const max of [1, 5, 2 ** 31, 2 ** 32 - 1]) for (let k = 0; k < 50; k++) expect(numpyRandomInterval(a, max)).toBeLessThanOrEqual(max);
  });
});

describe('numpy 1.24 argsort beyond the golden file', () => {
  it("heapsort (the introsort fallback) has numpy's tie order", () => {
    expect(Array.from(numpyHeapArgsort([3, 2, 2, 1, 2, 2, 1, 2, 1, 1, 1, 3, 3, 1, 1, 2, 2]))).toEqual([
      10, 8, 13, 3, 9, 6, 14, 5, 16, 4, 15, 2, 7, 1, 12, 11, 0,
    ]);
    expect(Array.from(numpyHeapArgsort([5, 5, 5, 1, 1, 5, 1, 5, 5, 1, 5, 1]))).toEqual([11, 6, 4, 9, 3, 5, 2, 10, 8, 7, 1, 0]);
  });

  // A median-of-three killer (McIlroy's adversary run against the port): the depth budget runs out
  // and one range is heap-sorted. Halving it keeps the fallback and adds ties.
  const killer = [
    0, 32, 2, 33, 4, 34, 6, 35, 8, 36, 10, 37, 12, 38, 14, 39, 16, 40, 18, 41, 20, 42, 22, 43, 24, 62, 26, 27, 28, 29, 30, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19,
    21, 23, 25, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 31, 63,
  ];

  it('reproduces numpy on an input that reaches the heapsort fallback', () => {
    expect(Array.from(numpyArgsort(killer))).toEqual([
      0, 31, 2, 32, 4, 33, 6, 34, 8, 35, 10, 36, 12, 37, 14, 38, 16, 39, 18, 40, 20, 41, 22, 42, 24, 43, 26, 27, 28, 29, 30, 62, 1, 3, 5, 7, 9, 11, 13, 15, 17,
      19, 21, 23, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 25, 63,
    ]);
    const halved = killer.map((v) => Math.floor(v / 2));
    const expected = [
      0, 31, 2, 32, 4, 33, 6, 34, 8, 35, 10, 36, 12, 37, 14, 38, 16, 39, 18, 40, 20, 41, 22, 42, 24, 43, 27, 26, 28, 29, 62, 30, 1, 3, 7, 5, 11, 9, 15, 13, 17,
      19, 23, 21, 45, 44, 47, 46, 49, 48, 51, 50, 53, 52, 55, 54, 56, 57, 59, 58, 61, 60, 63, 25,
    ];
    expect(Array.from(numpyArgsort(halved))).toEqual(expected);
    // float64 keys sort the same way in 1.24 (same scalar introsort).
    expect(Array.from(numpyArgsort(Float64Array.from(halved)))).toEqual(expected);
  });
});

describe('XTuner proxy flops', () => {
  it('rounds halves to even like Python (Math.round would not)', () => {
    expect([0.5, 1.5, 2.5, 64 / 128, 192 / 128, 320 / 128, 2.4999, 2.5001, 7].map(pythonRound)).toEqual([0, 2, 2, 0, 2, 2, 2, 3, 7]);
  });

  it('sums weighted block-rounded squares; a sample without image lists counts as [0]', () => {
    const flops = xtunerProxyFlops(
      Int32Array.of(192, 320, 1000),
      { counts: Float64Array.of(0, 256, 64, 0), starts: Int32Array.of(0, 1, 3, 4) },
      { llmPackWeight: -3.2, visualPackWeight: 5, flashAttnBlockSize: 128 },
    );
    expect(Array.from(flops)).toEqual([-3.2 * 4, -3.2 * 4 + 5 * (4 + 0.25), -3.2 * 64]);
    expect(Array.from(xtunerProxyFlops(Int32Array.of(64, 4096), null, { llmPackWeight: 1, visualPackWeight: 0, flashAttnBlockSize: 128 }))).toEqual([0, 1024]);
  });
});
