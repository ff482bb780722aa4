import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { balancedSpecSchema } from '../../lib/core/strategies/balanced/balanced-spec.js';
import { findStrategy, listStrategies } from '../../lib/core/strategies/registry.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { planEpoch } from '../../lib/core/plan/plan-epoch.js';
import { maxStepCount, resumePlanAt } from '../../lib/core/plan/resume.js';
import { reshardEpoch } from '../../lib/core/plan/reshard.js';
import { rankPaddingFlags, rankSampleIds } from '../../lib/core/plan/epoch-plan.js';
import { microBatch, stepCounts } from '../helpers/plan-invariants.js';

const lengthsArb = fc
  .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 400 })), { minLength: 8, maxLength: 250 })
  .map((pairs) => Int32Array.from(pairs, ([text, l]) => (text ? -l : l)));

const worldArb = fc.record({
  worldSize: fc.integer({ min: 1, max: 5 }),
  perDeviceBatchSize: fc.integer({ min: 1, max: 4 }),
  gradientAccumulation: fc.integer({ min: 1, max: 2 }),
});

describe('resume at step k', () => {
  it('equals the tail of the full plan, for every strategy', () => {
    const ids = listStrategies().map((s) => s.id);
    fc.assert(
      fc.property(lengthsArb, worldArb, fc.constantFrom(...ids), fc.nat(), fc.nat(3), (lengths0, world, id, k0, epoch) => {
        const { strategy, spec } = resolveShardSpec({ strategy: id, seed: 5, ...world });
        const lengths = strategy.usesModalitySign ? lengths0 : lengths0.map(Math.abs);
        let full;
        try {
          full = planEpoch(strategy, lengths, spec, epoch);
        } catch (error) {
          // Anchors legitimately refuse some tiny worlds (e.g. HF with n < W); the refusal names a field.
          expect((error as Error).name).toBe('InvalidInput');
          return;
        }
        const steps = maxStepCount(full);
        const k = k0 % (steps + 1);
        const resumed = resumePlanAt(full, k);
        expect(resumed.firstStep).toBe(k);
        for (let r = 0; r < full.worldSize; r++) {
          const skip = Math.min(k * full.microBatchSize, rankSampleIds(full, r).length);
          expect(rankSampleIds(resumed, r)).toEqual(rankSampleIds(full, r).subarray(skip));
          expect(rankPaddingFlags(resumed, r)).toEqual(rankPaddingFlags(full, r).subarray(skip));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a step beyond the epoch, naming fromStep', () => {
    const strategy = findStrategy('balanced');
    const spec = resolveShardSpec({ seed: 1, worldSize: 2, perDeviceBatchSize: 2 }).spec;
    const plan = planEpoch(strategy, Int32Array.from([5, 6, 7, 8, 9]), spec, 0);
    expect(() => resumePlanAt(plan, maxStepCount(plan) + 1)).toThrow(/^fromStep: /);
    expect(() => resumePlanAt(plan, -1)).toThrow(/^fromStep: /);
  });
});

describe('reshard an epoch to another world size', () => {
  it('neither repeats nor loses a sample: consumed + rest = the epoch, exactly once each', () => {
    fc.assert(
      fc.property(lengthsArb, worldArb, worldArb, fc.nat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (lengths, w1, w2, k0, seed) => {
        const before = balancedSpecSchema.parse({ strategy: 'balanced', seed, ...w1 });
        const after = balancedSpecSchema.parse({ strategy: 'balanced', seed, ...w2 });
        const full = planEpoch(findStrategy('balanced'), lengths, before, 2);
        const steps = maxStepCount(full);
        const consumedSteps = k0 % steps;
        // Repeats are flagged after the first occurrence in training order, so counting the
        // unflagged entries of the consumed steps counts each consumed sample once.
        const seen = new Uint32Array(lengths.length);
        for (let r = 0; r < full.worldSize; r++) {
          const flags = rankPaddingFlags(full, r);
          for (let s = 0; s < consumedSteps; s++) {
            microBatch(full, r, s).forEach((id, slot) => {
              if (flags[s * full.microBatchSize + slot] === 0) seen[id]!++;
            });
          }
        }
        let rest;
        try {
          rest = reshardEpoch(lengths, { previous: full, consumedSteps, spec: after });
        } catch (error) {
          // Only possible when every remaining entry repeats a consumed sample.
          expect((error as Error).message).toMatch(/only padding repeats are left/);
          return;
        }
        rest.sampleIds.forEach((id, p) => {
          if (rest.isPadding[p] === 0) seen[id]!++;
        });
        const planned = new Uint8Array(lengths.length);
        full.sampleIds.forEach((id) => (planned[id] = 1));
        for (let id = 0; id < lengths.length; id++) expect(seen[id]).toBe(planned[id]);
        expect(rest.droppedIds.length).toBe(0);
        expect(new Set(stepCounts(rest)).size).toBe(1);
        expect(rest.worldSize).toBe(after.worldSize);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and names consumedSteps when out of range', () => {
    const lengths = Int32Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? -(10 + i) : 10 + i));
    const before = balancedSpecSchema.parse({ strategy: 'balanced', seed: 9, worldSize: 4, perDeviceBatchSize: 2 });
    const after = balancedSpecSchema.parse({ strategy: 'balanced', seed: 9, worldSize: 3, perDeviceBatchSize: 2 });
    const full = planEpoch(findStrategy('balanced'), lengths, before, 0);
    const a = reshardEpoch(lengths, { previous: full, consumedSteps: 4, spec: after });
    const b = reshardEpoch(lengths, { previous: full, consumedSteps: 4, spec: after });
    expect(a.sampleIds).toEqual(b.sampleIds);
    expect(() => reshardEpoch(lengths, { previous: full, consumedSteps: maxStepCount(full), spec: after })).toThrow(/^consumedSteps: /);
  });
});
