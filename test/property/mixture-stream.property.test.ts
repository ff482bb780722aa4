import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawEpoch, drawEpochCopies } from '../../lib/core/mixture/draw-epoch-multiset.js';
import { readWhole, type DrawnMultiset } from '../../lib/core/mixture/drawn-multiset.js';
import type { EpochPlan } from '../../lib/core/plan/epoch-plan.js';
import { Mt19937 } from '../../lib/core/rng/mt19937.js';
import { uniformBelow } from '../../lib/core/rng/shuffle.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { balancedStrategy } from '../../lib/core/strategies/balanced.js';
import type { BalancedSpec } from '../../lib/core/strategies/balanced/balanced-spec.js';
import { buildPopulation } from '../../lib/core/strategies/balanced/population.js';
import { chooseRemainder } from '../../lib/core/strategies/balanced/remainder.js';

/**
 * The mixed plan reads the draw piece by piece (never materialising the population): these check
 * that streaming changes no byte, against code paths that share nothing with it.
 */

/** 1–4 sources, some of 1–3 samples, in blocks or interleaved; counts from nothing to many times a source. */
const drawArb = fc
  .record({
    sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 120 })), { minLength: 1, maxLength: 4 }),
    interleave: fc.boolean(),
    order: fc.nat(),
    seed: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    epoch: fc.nat(9),
  })
  .chain(({ sizes, interleave, order, seed, epoch }) => {
    const sourceIndex = Int32Array.from(sizes.flatMap((size, s) => Array.from({ length: size }, () => s)));
    if (interleave) {
      const rng = Mt19937.fromKey([order]);
      for (let i = sourceIndex.length - 1; i > 0; i--) {
        const j = uniformBelow(rng, i + 1);
        [sourceIndex[i], sourceIndex[j]] = [sourceIndex[j]!, sourceIndex[i]!];
      }
    }
    return fc.record({
      sourceIndex: fc.constant(sourceIndex),
      counts: fc.tuple(...sizes.map((size) => fc.oneof(fc.integer({ min: 0, max: 3 * size }), fc.integer({ min: 0, max: 40 * size })))),
      lengths: fc.array(
        fc.integer({ min: 1, max: 500 }).chain((l) => fc.constantFrom(l, -l)),
        { minLength: sourceIndex.length, maxLength: sourceIndex.length },
      ),
      seed: fc.constant(seed),
      epoch: fc.constant(epoch),
    });
  });

/** The population written out from the per-sample copies (drawEpochCopies: its own loop). */
function expandCopies(sourceIndex: Int32Array, counts: number[], seed: bigint, epoch: number): Int32Array {
  const { copies, total } = drawEpochCopies(sourceIndex, counts, seed, epoch);
  const population = new Int32Array(total);
  let at = 0;
  copies.forEach((c, id) => {
    population.fill(id, at, at + c);
    at += c;
  });
  return population;
}

/** Read a drawn multiset in pieces of the given sizes (cycled). */
function readInPieces(drawn: DrawnMultiset, pieceSizes: number[]): Int32Array {
  const parts: number[] = [];
  const reader = drawn.read();
  for (let k = 0; ; k++) {
    const piece = new Int32Array(pieceSizes[k % pieceSizes.length]!);
    const count = reader.fill(piece);
    if (count === 0) break;
    parts.push(...piece.subarray(0, count));
  }
  return Int32Array.from(parts);
}

/** The reference: plan the drawn entries as positions (lengths gathered), then map them to sample ids. */
function planAsPositions(signedLengths: Int32Array, population: Int32Array, spec: BalancedSpec, epoch: number): EpochPlan | string {
  try {
    // The strategy itself, as planMultiset is called: the index's lengths are validated once, by planMixedEpoch.
    const plan = balancedStrategy.planEpoch(
      Int32Array.from(population, (id) => signedLengths[id]!),
      spec,
      epoch,
    );
    return { ...plan, sampleIds: plan.sampleIds.map((p) => population[p]!), droppedIds: plan.droppedIds.map((p) => population[p]!).sort() };
  } catch (error) {
    return (error as Error).message;
  }
}

function planStreamed(signedLengths: Int32Array, drawn: DrawnMultiset, spec: BalancedSpec, epoch: number): EpochPlan | string {
  try {
    return balancedStrategy.planMultiset!(signedLengths, drawn, spec, epoch);
  } catch (error) {
    return (error as Error).message;
  }
}

const shapeArb = fc.record({
  worldSize: fc.integer({ min: 1, max: 5 }),
  perDeviceBatchSize: fc.integer({ min: 1, max: 4 }),
  gradientAccumulation: fc.integer({ min: 1, max: 3 }),
  remainder: fc.constantFrom('pad', 'drop'),
  groupByModality: fc.boolean(),
});

describe('a streamed mixture draw', () => {
  it('reads, in pieces of any size, exactly the population expanded from the per-sample copies', () => {
    fc.assert(
      fc.property(drawArb, fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 4 }), ({ sourceIndex, counts, seed, epoch }, pieceSizes) => {
        const { drawn } = drawEpoch(sourceIndex, counts, seed, epoch);
        const expected = expandCopies(sourceIndex, counts, seed, epoch);
        expect(drawn.total).toBe(expected.length);
        expect(readInPieces(drawn, pieceSizes)).toEqual(expected);
        expect(readWhole(drawn)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('lays out the same population piece by piece as from the whole array, ids at drop and repeat positions included', () => {
    fc.assert(
      fc.property(
        drawArb,
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('pad', 'drop'),
        fc.boolean(),
        fc.nat(),
        (draw, piece, unit, policy, grouped, rngSeed) => {
          const { drawn } = drawEpoch(draw.sourceIndex, draw.counts, draw.seed, draw.epoch);
          if (policy === 'drop' && drawn.total < unit) return;
          const choice = chooseRemainder(drawn.total, unit, policy, Mt19937.fromKey([rngSeed]));
          const lengths = Int32Array.from(draw.lengths);
          expect(buildPopulation(lengths, drawn, choice, grouped, piece)).toEqual(buildPopulation(lengths, readWhole(drawn), choice, grouped));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('plans with balanced@1 byte for byte as the drawn entries planned as positions and mapped back', () => {
    fc.assert(
      fc.property(drawArb, shapeArb, ({ sourceIndex, counts, lengths, seed, epoch }, shape) => {
        const { spec } = resolveShardSpec({ strategy: 'balanced', seed: Number(seed % 1000n), ...shape });
        const signed = Int32Array.from(lengths);
        const { drawn } = drawEpoch(sourceIndex, counts, seed, epoch);
        expect(planStreamed(signed, drawn, spec as BalancedSpec, epoch)).toEqual(planAsPositions(signed, readWhole(drawn), spec as BalancedSpec, epoch));
      }),
      { numRuns: 400 },
    );
  });

  it('plans positions when the padding repeats two entries of one sample (one sample drawn 3 times, 5 pads)', () => {
    const sourceIndex = Int32Array.of(0);
    const { drawn } = drawEpoch(sourceIndex, [3], 1n, 0);
    const { spec } = resolveShardSpec({ strategy: 'balanced', seed: 1, worldSize: 2, perDeviceBatchSize: 4, remainder: 'pad' });
    const plan = planStreamed(Int32Array.of(7), drawn, spec as BalancedSpec, 0);
    expect(plan).toEqual(planAsPositions(Int32Array.of(7), readWhole(drawn), spec as BalancedSpec, 0));
    // Positions keep each entry's copies apart: 3 real entries, 5 padding, where ids would give 1 and 7.
    expect(Array.from((plan as EpochPlan).isPadding).filter((p) => p === 1)).toHaveLength(5);
  });
});
