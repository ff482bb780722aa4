import { describe, expect, it } from 'vitest';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { rankPaddingFlags, rankSampleIds, type EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import type { CommonSpec, Strategy } from '../../lib/core/strategies/strategy.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { torchDistributedStrategy } from '../../lib/core/strategies/torch-distributed.js';
import { hfLengthGroupedIndices, hfLengthGroupedStrategy } from '../../lib/core/strategies/hf-length-grouped.js';
import { xtunerLengthGroupedStrategy } from '../../lib/core/strategies/xtuner-length-grouped.js';
import { llavaLengthGroupedIndices, llavaLengthGroupedOrder, llavaLengthGroupedStrategy } from '../../lib/core/strategies/llava-length-grouped.js';
import {
  llavaModalityLengthGroupedIndices,
  llavaModalityLengthGroupedOrder,
  llavaModalityLengthGroupedStrategy,
} from '../../lib/core/strategies/llava-modality-length-grouped.js';
import { dealEvenBatches } from '../../lib/core/strategies/blocks/accelerate-even-batches.js';
import { accelerateReference } from '../helpers/accelerate-reference.js';

// Notes §9 inputs: signed modality lengths L (n = 16) and A = |L|.
const L = Int32Array.from([5, -3, 7, 2, -9, 4, 6, -1, 8, 3, -2, 10, 11, -12, 1, 9]);
const A = L.map(Math.abs);

function spec<S extends CommonSpec>(strategy: Strategy<S>, fields: Record<string, unknown>): S {
  return strategy.specSchema.parse({ strategy: strategy.id, ...fields });
}

const ranksOf = (plan: EpochPlan): number[][] => Array.from({ length: plan.worldSize }, (_, r) => Array.from(rankSampleIds(plan, r)));
const paddingOf = (plan: EpochPlan): number[][] => Array.from({ length: plan.worldSize }, (_, r) => Array.from(rankPaddingFlags(plan, r)));

/** Invariants every plan satisfies: consistent offsets, and each sample once (plus declared padding). */
function expectWellFormed(plan: EpochPlan, sampleCount: number): void {
  const { rankStarts, sampleIds, isPadding, droppedIds } = plan;
  expect(rankStarts.length).toBe(plan.worldSize + 1);
  expect(rankStarts[0]).toBe(0);
  expect(rankStarts[plan.worldSize]).toBe(sampleIds.length);
  for (let r = 0; r < plan.worldSize; r++) expect(rankStarts[r + 1]!).toBeGreaterThanOrEqual(rankStarts[r]!);
  expect(isPadding.length).toBe(sampleIds.length);
  const seen = new Uint8Array(sampleCount);
  const mark = (id: number): void => {
    expect(seen[id], `sample ${id} appears twice without a padding flag`).toBe(0);
    seen[id] = 1;
  };
  sampleIds.forEach((id, p) => (isPadding[p] ? expect(id).toBeLessThan(sampleCount) : mark(id)));
  droppedIds.forEach(mark);
  expect(seen.every((s) => s === 1)).toBe(true);
  expect(Array.from(droppedIds)).toEqual(Array.from(droppedIds).sort((a, b) => a - b));
}

const expectEqualStepCounts = (plan: EpochPlan): void => expect(new Set(ranksOf(plan).map((ids) => ids.length)).size).toBe(1);

describe('notes §9 test vectors', () => {
  it('T2: torch DistributedSampler(n=10, W=4, seed 0, epoch 0)', () => {
    const s = spec(torchDistributedStrategy, { seed: 0, worldSize: 4, perDeviceBatchSize: 1 });
    const plan = torchDistributedStrategy.planEpoch(new Int32Array(10).fill(1), s, 0);
    expect(ranksOf(plan)).toEqual([
      [4, 3, 6],
      [1, 9, 2],
      [7, 0, 4],
      [5, 8, 1],
    ]);
    // total 12: global positions 10 and 11 (ids 4, 1) are the padding, on ranks 2 and 3.
    expect(paddingOf(plan)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expectWellFormed(plan, 10);
  });

  it('T3: HF get_length_grouped_indices(A, batch_size 2, generator seed 42)', () => {
    const order = hfLengthGroupedIndices(A, 2, null, Mt19937.fromTorchSeed(42));
    expect(Array.from(order)).toEqual([13, 0, 3, 7, 12, 15, 2, 10, 8, 5, 9, 14, 6, 11, 4, 1]);
  });

  it('T4: HF DistributedLengthGroupedSampler(A, bs 2, W 3, seed 0, epoch 1)', () => {
    const s = spec(hfLengthGroupedStrategy, { seed: 0, worldSize: 3, perDeviceBatchSize: 2 });
    const plan = hfLengthGroupedStrategy.planEpoch(A, s, 1);
    expect(ranksOf(plan)).toEqual([
      [13, 5, 2, 0, 15, 14],
      [4, 12, 7, 1, 10, 13],
      [6, 11, 8, 9, 3, 4],
    ]);
    expectWellFormed(plan, 16);
  });

  it.each([
    [
      0,
      [
        [13, 5, 8, 10, 11, 0, 12, 4],
        [6, 9, 1, 7, 2, 3, 15, 14],
      ],
    ],
    [
      1,
      [
        [13, 1, 12, 8, 15, 0, 2, 10],
        [4, 7, 11, 5, 6, 9, 3, 14],
      ],
    ],
  ])('T5/T6: XTuner LengthGroupedSampler(L, per_device 2, W 2, seed 1024) epoch %i', (epoch, expected) => {
    const s = spec(xtunerLengthGroupedStrategy, { seed: 1024, worldSize: 2, perDeviceBatchSize: 2 });
    const plan = xtunerLengthGroupedStrategy.planEpoch(L, s, epoch);
    expect(ranksOf(plan)).toEqual(expected);
    expectWellFormed(plan, 16);
  });

  it('T7: LLaVA modality grouping, global RNG seed 42 and a separately seeded (42) sampler generator', () => {
    const generators = { global: Mt19937.fromTorchSeed(42), sampler: Mt19937.fromTorchSeed(42) };
    const order = llavaModalityLengthGroupedIndices(L, 2, 2, generators);
    expect(Array.from(order)).toEqual([12, 14, 9, 3, 13, 10, 4, 1, 11, 0, 15, 2, 5, 6, 7, 8]);
  });

  it('T8: LLaVA get_length_grouped_indices(A, B 2, W 2, generator seed 42)', () => {
    const order = llavaLengthGroupedIndices(A, 2, 2, Mt19937.fromTorchSeed(42));
    expect(Array.from(order)).toEqual([6, 7, 0, 3, 12, 10, 15, 2, 8, 14, 5, 9, 13, 1, 11, 4]);
  });
});

describe('torch-distributed edge cases', () => {
  it('n < W takes the repeat branch: the list is cycled, and the repeats are padding', () => {
    const s = spec(torchDistributedStrategy, { seed: 3, worldSize: 8, perDeviceBatchSize: 1 });
    const plan = torchDistributedStrategy.planEpoch(new Int32Array(3).fill(1), s, 0);
    const global = ranksOf(plan).map(([id]) => id);
    expect(global.slice(3)).toEqual([...global.slice(0, 3), ...global.slice(0, 2)]);
    expect(paddingOf(plan).map(([flag]) => flag)).toEqual([0, 0, 0, 1, 1, 1, 1, 1]);
    expectWellFormed(plan, 3);
  });

  it('drop_last cuts to a multiple of W and lists the dropped ids ascending', () => {
    const s = spec(torchDistributedStrategy, { seed: 0, worldSize: 4, perDeviceBatchSize: 1, dropLast: true });
    const plan = torchDistributedStrategy.planEpoch(new Int32Array(10).fill(1), s, 0);
    // randperm(10) with seed 0 is [4,1,7,5,3,9,0,8,6,2]: keep 8, drop [6, 2].
    expect(ranksOf(plan)).toEqual([
      [4, 3],
      [1, 9],
      [7, 0],
      [5, 8],
    ]);
    expect(Array.from(plan.droppedIds)).toEqual([2, 6]);
    expectWellFormed(plan, 10);
  });

  it('shuffle=false keeps dataset order', () => {
    const s = spec(torchDistributedStrategy, { seed: 0, worldSize: 2, perDeviceBatchSize: 1, shuffle: false });
    expect(ranksOf(torchDistributedStrategy.planEpoch(new Int32Array(5).fill(1), s, 0))).toEqual([
      [0, 2, 4],
      [1, 3, 0],
    ]);
  });
});

describe('XTuner edge cases', () => {
  const base = { seed: 11, worldSize: 3, perDeviceBatchSize: 2 };

  it('round_up=false gives each rank indices[rank::W] of the n-long list (counts differ)', () => {
    const roundUp = xtunerLengthGroupedStrategy.planEpoch(L, spec(xtunerLengthGroupedStrategy, base), 0);
    const plain = xtunerLengthGroupedStrategy.planEpoch(L, spec(xtunerLengthGroupedStrategy, { ...base, roundUp: false }), 0);
    expect(ranksOf(plain).map((ids) => ids.length)).toEqual([6, 5, 5]);
    expect(Array.from(plain.isPadding).every((f) => f === 0)).toBe(true);
    // Same global order either way; round_up only appends a cyclic repeat.
    expect(ranksOf(roundUp).map((ids, r) => ids.slice(0, ranksOf(plain)[r]!.length))).toEqual(ranksOf(plain));
    expectWellFormed(plain, 16);
    expectWellFormed(roundUp, 16);
    expectEqualStepCounts(roundUp);
  });

  it('all-text data sorts by raw negative length (quirk B): mega-batches run shortest |length| first', () => {
    const text = Int32Array.from(A, (v) => -v);
    const s = spec(xtunerLengthGroupedStrategy, { ...base, worldSize: 1, perDeviceBatchSize: 4, megaBatchMult: 2 });
    const plan = xtunerLengthGroupedStrategy.planEpoch(text, s, 0);
    const ids = ranksOf(plan)[0]!;
    // The second mega-batch (positions 8..15) is untouched by the head swap: ascending |length|.
    const tail = ids.slice(9).map((id) => A[id]!);
    expect(tail).toEqual([...tail].sort((a, b) => a - b));
    expectWellFormed(plan, 16);
  });

  it('all-image data and n = 1 and n < W are planned with equal step counts', () => {
    for (const lengths of [A, Int32Array.of(7), Int32Array.of(4, -2)]) {
      const plan = xtunerLengthGroupedStrategy.planEpoch(lengths, spec(xtunerLengthGroupedStrategy, { ...base, worldSize: 4 }), 0);
      expectWellFormed(plan, lengths.length);
      expectEqualStepCounts(plan);
    }
  });
});

describe('HF edge cases', () => {
  it('refuses negative lengths and worlds the single pad cannot fill', () => {
    const s = spec(hfLengthGroupedStrategy, { seed: 0, worldSize: 5, perDeviceBatchSize: 1 });
    expect(() => hfLengthGroupedStrategy.planEpoch(L, s, 0)).toThrow(InvalidInputError);
    expect(() => hfLengthGroupedStrategy.planEpoch(Int32Array.of(3, 4), s, 0)).toThrow(/pads 2 samples only once/);
  });

  it('n = 1 and drop_last plans are well formed', () => {
    const one = hfLengthGroupedStrategy.planEpoch(Int32Array.of(9), spec(hfLengthGroupedStrategy, { seed: 1, worldSize: 2, perDeviceBatchSize: 1 }), 0);
    expect(ranksOf(one)).toEqual([[0], [0]]);
    expectWellFormed(one, 1);
    const dropped = hfLengthGroupedStrategy.planEpoch(A, spec(hfLengthGroupedStrategy, { seed: 1, worldSize: 3, perDeviceBatchSize: 2, dropLast: true }), 0);
    expect(dropped.droppedIds.length).toBe(1);
    expectWellFormed(dropped, 16);
  });
});

describe('LLaVA dealing (Accelerate even_batches) and epochs', () => {
  it('dealEvenBatches matches a step-by-step port of _iter_with_no_split', () => {
    for (const n of [1, 2, 5, 7, 12, 13, 31, 40]) {
      for (const [batchSize, worldSize] of [
        [1, 1],
        [2, 3],
        [3, 2],
        [4, 4],
        [1, 8],
      ] as const) {
        const order = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
        const layout = dealEvenBatches(order, batchSize, worldSize);
        for (let r = 0; r < worldSize; r++) {
          const ours = Array.from(layout.sampleIds.subarray(layout.rankStarts[r], layout.rankStarts[r + 1]));
          expect(ours, `n=${n} B=${batchSize} W=${worldSize} rank ${r}`).toEqual(accelerateReference(Array.from(order), batchSize, worldSize, r));
        }
      }
    }
  });

  it('rank r micro-step s is batch s·W + r of the global order; the last round is padded from the start', () => {
    const s = spec(llavaLengthGroupedStrategy, { seed: 42, worldSize: 2, perDeviceBatchSize: 3 });
    const plan = llavaLengthGroupedStrategy.planEpoch(A, s, 0);
    const order = Array.from(llavaLengthGroupedOrder(A, s, 0));
    const stream = [...order, ...order.slice(0, 2)];
    expect(ranksOf(plan)).toEqual([
      [...stream.slice(0, 3), ...stream.slice(6, 9), ...stream.slice(12, 15)],
      [...stream.slice(3, 6), ...stream.slice(9, 12), ...stream.slice(15, 18)],
    ]);
    expect(paddingOf(plan)[1]!.slice(-3)).toEqual([0, 1, 1]);
    expectWellFormed(plan, 16);
  });

  it('epoch e continues the torch.manual_seed stream after the draws of epochs 0..e−1', () => {
    const s = spec(llavaLengthGroupedStrategy, { seed: 5, worldSize: 2, perDeviceBatchSize: 2 });
    const rng = Mt19937.fromTorchSeed(5);
    const epochs = [0, 1, 2].map(() => Array.from(llavaLengthGroupedIndices(A, 2, 2, rng)));
    expect([0, 1, 2].map((e) => Array.from(llavaLengthGroupedOrder(A, s, e)))).toEqual(epochs);
    const shared = Mt19937.fromTorchSeed(5);
    const modality = [0, 1, 2].map(() => Array.from(llavaModalityLengthGroupedIndices(L, 2, 2, { global: shared, sampler: shared })));
    expect([0, 1, 2].map((e) => Array.from(llavaModalityLengthGroupedOrder(L, s, e)))).toEqual(modality);
  });

  it('world_size given to LLaVA is worldSize × gradientAccumulation', () => {
    const s = spec(llavaLengthGroupedStrategy, { seed: 42, worldSize: 1, perDeviceBatchSize: 2, gradientAccumulation: 2 });
    expect(Array.from(llavaLengthGroupedOrder(A, s, 0))).toEqual(Array.from(llavaLengthGroupedIndices(A, 2, 2, Mt19937.fromTorchSeed(42))));
  });

  it('single-modality data (all text, all image), n = 1 and n < W are planned with equal step counts', () => {
    const text = Int32Array.from(A, (v) => -v);
    for (const strategy of [llavaLengthGroupedStrategy, llavaModalityLengthGroupedStrategy]) {
      for (const lengths of [A, text, Int32Array.of(3), Int32Array.of(2, -5)]) {
        const plan = strategy.planEpoch(lengths, spec(strategy, { seed: 9, worldSize: 4, perDeviceBatchSize: 2 }), 0);
        expectWellFormed(plan, lengths.length);
        expectEqualStepCounts(plan);
      }
    }
  });

  it('rejects zero lengths, as LLaVA asserts', () => {
    const s = spec(llavaModalityLengthGroupedStrategy, { seed: 9, worldSize: 1, perDeviceBatchSize: 1 });
    expect(() => llavaModalityLengthGroupedStrategy.planEpoch(Int32Array.of(3, 0, -2), s, 0)).toThrow(InvalidInputError);
  });
});

it('same inputs give the same plan', () => {
  const s = spec(xtunerLengthGroupedStrategy, { seed: 77, worldSize: 2, perDeviceBatchSize: 2 });
  expect(xtunerLengthGroupedStrategy.planEpoch(L, s, 3)).toEqual(xtunerLengthGroupedStrategy.planEpoch(L, s, 3));
});
