import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawEpochMultiset } from '../../lib/core/mixture/draw-epoch-multiset.js';
import { planMixedEpoch } from '../../lib/core/mixture/plan-mixed-epoch.js';
import { resolveEpochCounts } from '../../lib/core/mixture/source-weights.js';
import { maxStepCount } from '../../lib/core/plan/resume.js';
import { reshardEpoch } from '../../lib/core/plan/reshard.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { listStrategies } from '../../lib/core/strategies/registry.js';
import type { BalancedSpec } from '../../lib/core/strategies/balanced/balanced-spec.js';
import { occurrences } from '../helpers/plan-invariants.js';

/** An index of two sources (a small one and a larger one), with lengths. */
const indexArb = fc.record({ small: fc.integer({ min: 1, max: 30 }), large: fc.integer({ min: 10, max: 200 }) }).chain(({ small, large }) =>
  fc.record({
    lengths: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: small + large, maxLength: small + large }).map((l) => Int32Array.from(l)),
    sourceIndex: fc.constant(Int32Array.from({ length: small + large }, (_, id) => (id < small ? 0 : 1))),
  }),
);
const mixtureArb = fc.record({ small: fc.double({ min: 0.2, max: 4, noNaN: true }), large: fc.double({ min: 0.05, max: 1, noNaN: true }) });
const sourceNames = ['small.jsonl', 'large.jsonl'];

describe('mixed epochs', () => {
  it('plan exactly the drawn multiset with every strategy: each sample as often as drawn, repeats not flagged as padding', () => {
    const ids = listStrategies().map((s) => s.id);
    fc.assert(
      fc.property(indexArb, mixtureArb, fc.constantFrom(...ids), fc.nat(3), ({ lengths, sourceIndex }, weights, id, epoch) => {
        const mixture = { 'small.jsonl': { repeat: weights.small }, 'large.jsonl': { repeat: weights.large } };
        const { strategy, spec } = resolveShardSpec({ strategy: id, seed: 9, worldSize: 2, perDeviceBatchSize: 2, mixture });
        const counts = resolveEpochCounts(
          sourceNames,
          [sourceIndex.filter((s) => s === 0).length, sourceIndex.filter((s) => s === 1).length],
          [mixture['small.jsonl'], mixture['large.jsonl']],
        );
        const drawn = drawEpochMultiset(
          sourceIndex,
          counts.map((c) => c.count),
          9n,
          epoch,
        ).population;
        if (drawn.length < 4) return;
        let result;
        try {
          result = planMixedEpoch(strategy, lengths, spec, epoch, { sourceIndex, sourceNames });
        } catch (error) {
          expect((error as Error).name).toBe('InvalidInput');
          return;
        }
        const expected = new Uint32Array(lengths.length);
        for (const sample of drawn) expected[sample]! += 1;
        for (const sample of result.plan.droppedIds) expected[sample]! -= 1;
        expect(occurrences(result.plan, lengths.length).real).toEqual(expected);
        expect(result.mixture!.sources.map((s) => s.drawn)).toEqual(counts.map((c) => c.count));
      }),
      { numRuns: 60 },
    );
  });

  it('balanced plans the drawn ids directly (planMultiset) with the bytes of planning positions and mapping them back', () => {
    fc.assert(
      fc.property(
        indexArb,
        mixtureArb,
        fc.nat(5),
        fc.record({
          worldSize: fc.integer({ min: 1, max: 4 }),
          perDeviceBatchSize: fc.integer({ min: 1, max: 4 }),
          gradientAccumulation: fc.integer({ min: 1, max: 3 }),
        }),
        fc.constantFrom('pad', 'drop'),
        fc.boolean(),
        ({ lengths, sourceIndex }, weights, epoch, shape, remainder, groupByModality) => {
          const signed = lengths.map((l, i) => (i % 3 === 0 ? -l : l));
          const mixture = { 'small.jsonl': { repeat: weights.small }, 'large.jsonl': { repeat: weights.large } };
          const { strategy, spec } = resolveShardSpec({ strategy: 'balanced', seed: 5, ...shape, remainder, groupByModality, mixture });
          expect(strategy.planMultiset).toBeDefined();
          const plan = (s: typeof strategy) => {
            try {
              return planMixedEpoch(s, signed, spec, epoch, { sourceIndex, sourceNames }).plan;
            } catch (error) {
              return (error as Error).message;
            }
          };
          expect(plan(strategy)).toEqual(plan({ ...strategy, planMultiset: undefined }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reshard owes exactly the drawn multiset less what was consumed, nothing repeated or lost', () => {
    fc.assert(
      fc.property(indexArb, mixtureArb, fc.nat(), ({ lengths, sourceIndex }, weights, k0) => {
        const mixture = { 'small.jsonl': { repeat: weights.small }, 'large.jsonl': { repeat: weights.large } };
        const { strategy, spec } = resolveShardSpec({ strategy: 'balanced', seed: 3, worldSize: 3, perDeviceBatchSize: 2, mixture });
        const { plan } = planMixedEpoch(strategy, lengths, spec, 0, { sourceIndex, sourceNames });
        const steps = maxStepCount(plan);
        if (steps < 2) return;
        const k = k0 % steps;
        const next = resolveShardSpec({ strategy: 'balanced', seed: 3, worldSize: 2, perDeviceBatchSize: 3 }).spec as BalancedSpec;
        const rest = reshardEpoch(lengths, { previous: plan, consumedSteps: k, spec: next });
        const seen = new Int32Array(lengths.length);
        for (let r = 0; r < plan.worldSize; r++) {
          const start = plan.rankStarts[r]!;
          for (let p = start; p < Math.min(start + k * plan.microBatchSize, plan.rankStarts[r + 1]!); p++) seen[plan.sampleIds[p]!]! += 1;
        }
        const { real } = occurrences(rest, lengths.length);
        const declared = occurrences(plan, lengths.length).real;
        for (let id = 0; id < lengths.length; id++) expect(real[id]).toBe(Math.max(0, declared[id]! - seen[id]!));
      }),
      { numRuns: 60 },
    );
  });
});
