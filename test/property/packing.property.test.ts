import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planBalancedPack } from '../../lib/core/packing/plan-balanced-pack.js';
import { parseBalancedPackSpec, type BalancedPackSpec } from '../../lib/core/packing/balanced-pack-spec.js';
import type { PackedEpochPlan } from '../../lib/core/packing/packed-epoch-plan.js';
import { resumePackedPlanAt } from '../../lib/core/packing/resume-packed-plan.js';
import { PACK_REJECT_REASONS } from '../../lib/core/packing/pack-samples.js';
import { numpyArgsort } from '../../lib/core/packing/numpy-argsort.js';
import { orderByCostDescending } from '../../lib/core/packing/cost-order.js';
import { SuccessorBitset } from '../../lib/core/packing/successor-bitset.js';
import { xtunerSoftPack } from '../../lib/core/packing/xtuner-soft-pack.js';
import { xtunerHardPack } from '../../lib/core/packing/xtuner-hard-pack.js';
import { xtunerPackSampler } from '../../lib/core/packing/xtuner-pack-sampler.js';
import { packCount, packMembers } from '../../lib/core/packing/pack-list.js';

/** Samples: tokens with many ties and some over the budget; image counts 0..6. */
const samplesArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 6 })), { minLength: 0, maxLength: 400 })
  .map((pairs) => ({ tokens: Int32Array.from(pairs, ([t]) => t * 10), images: Uint16Array.from(pairs, ([, m]) => m) }));

const specArb = fc.record({
  maxTokens: fc.integer({ min: 50, max: 1500 }),
  maxImagesPerPack: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  overLength: fc.constantFrom('own-pack' as const, 'reject' as const),
  worldSize: fc.integer({ min: 1, max: 9 }),
  seed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  megaBatchSamples: fc.integer({ min: 1, max: 200 }),
  costLinearWeight: fc.constantFrom(0, 100, 49152),
});

const parse = (raw: unknown): BalancedPackSpec => parseBalancedPackSpec(raw);

/** Every (rank, step) pack of a plan, with its rows; balanced-pack@1 has one pack per rank per step. */
function packsOf(plan: PackedEpochPlan): Array<{ rank: number; step: number; ids: number[]; padding: boolean }> {
  const out = [];
  for (let step = 0; step < plan.stepCount; step++) {
    for (let rank = 0; rank < plan.worldSize; rank++) {
      const at = rank * plan.stepCount + step;
      const [start, end] = [plan.stepStarts[at]!, plan.stepStarts[at + 1]!];
      out.push({ rank, step, ids: Array.from(plan.sampleIds.subarray(start, end)), padding: plan.isPadding[start] === 1 });
    }
  }
  return out;
}

describe('balanced-pack@1 invariants', () => {
  it('places every sample exactly once in a real pack, or rejects it with its reason', () => {
    fc.assert(
      fc.property(samplesArb, specArb, fc.nat(3), ({ tokens, images }, raw, epoch) => {
        const spec = parse(raw);
        const plan = planBalancedPack(tokens, images, spec, epoch);
        const seen = new Uint32Array(tokens.length);
        for (const pack of packsOf(plan)) if (!pack.padding) pack.ids.forEach((id) => seen[id]!++);
        const rejected = new Map(Array.from(plan.rejectedIds, (id, k) => [id, PACK_REJECT_REASONS[plan.rejectedReasons[k]!]] as const));
        for (let id = 0; id < tokens.length; id++) {
          const overTokens = tokens[id]! > spec.maxTokens;
          const overCap = spec.maxImagesPerPack !== null && images[id]! > spec.maxImagesPerPack;
          if (spec.overLength === 'reject' && (overTokens || overCap)) {
            expect(seen[id]).toBe(0);
            expect(rejected.get(id)).toBe(overTokens ? 'tokens-over-budget' : 'images-over-cap');
          } else {
            expect(seen[id]).toBe(1);
            expect(rejected.has(id)).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('holds the token budget and the image cap, except an over-limit sample alone in its own pack', () => {
    fc.assert(
      fc.property(samplesArb, specArb, ({ tokens, images }, raw) => {
        const spec = parse(raw);
        const plan = planBalancedPack(tokens, images, spec, 0);
        for (const { ids } of packsOf(plan)) {
          expect(ids.length).toBeGreaterThan(0);
          const total = ids.reduce((sum, id) => sum + tokens[id]!, 0);
          const imageCount = ids.reduce((sum, id) => sum + images[id]!, 0);
          const overCap = spec.maxImagesPerPack !== null && imageCount > spec.maxImagesPerPack;
          if (total > spec.maxTokens || overCap) expect(ids.length).toBe(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('flags a repeated pack as padding only after its first occurrence in training order (step, then rank)', () => {
    fc.assert(
      fc.property(samplesArb, specArb, ({ tokens, images }, raw) => {
        const plan = planBalancedPack(tokens, images, parse(raw), 0);
        const seen = new Set<string>();
        for (const pack of packsOf(plan)) {
          const key = pack.ids.join(',');
          expect(pack.padding).toBe(seen.has(key));
          seen.add(key);
        }
        const realPacks = packsOf(plan).filter((p) => !p.padding).length;
        // Padding only completes the last step: fewer than W repeated packs.
        expect(plan.stepCount * plan.worldSize - realPacks).toBeLessThan(plan.worldSize);
      }),
      { numRuns: 200 },
    );
  });

  it('gives every rank the same number of steps, one non-empty pack each', () => {
    fc.assert(
      fc.property(samplesArb, specArb, ({ tokens, images }, raw) => {
        const plan = planBalancedPack(tokens, images, parse(raw), 0);
        expect(plan.stepStarts.length).toBe(plan.worldSize * plan.stepCount + 1);
        expect(plan.packStarts).toBe(plan.stepStarts);
        for (let r = 0; r < plan.worldSize; r++) {
          expect(plan.rankStarts[r]).toBe(plan.stepStarts[r * plan.stepCount]);
          for (let s = 0; s < plan.stepCount; s++) {
            expect(plan.stepStarts[r * plan.stepCount + s + 1]!).toBeGreaterThan(plan.stepStarts[r * plan.stepCount + s]!);
          }
        }
        expect(plan.rankStarts[plan.worldSize]).toBe(plan.sampleIds.length);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: same inputs give identical arrays', () => {
    fc.assert(
      fc.property(samplesArb, specArb, fc.nat(3), ({ tokens, images }, raw, epoch) => {
        const a = planBalancedPack(tokens, images, parse(raw), epoch);
        const b = planBalancedPack(tokens.slice(), images.slice(), parse(raw), epoch);
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
    const tokens = Int32Array.from({ length: 3000 }, (_, i) => 50 + ((i * 2654435761) % 900));
    const spec = parse({ maxTokens: 2048, worldSize: 4, seed: 7 });
    expect(planBalancedPack(tokens, null, spec, 0).sampleIds).not.toEqual(planBalancedPack(tokens, null, spec, 1).sampleIds);
  });

  it('resuming at step k gives exactly the tail of the full plan, step numbers kept', () => {
    fc.assert(
      fc.property(samplesArb, specArb, fc.nat(), fc.nat(), ({ tokens, images }, raw, k1, k2) => {
        const plan = planBalancedPack(tokens, images, parse(raw), 0);
        const first = k1 % (plan.stepCount + 1);
        const resumed = resumePackedPlanAt(plan, first);
        expect(resumed.firstStep).toBe(first);
        expect(resumed.stepCount).toBe(plan.stepCount - first);
        for (let r = 0; r < plan.worldSize; r++) {
          const tail = plan.sampleIds.subarray(plan.stepStarts[r * plan.stepCount + first], plan.rankStarts[r + 1]);
          expect(resumed.sampleIds.subarray(resumed.rankStarts[r], resumed.rankStarts[r + 1])).toEqual(tail);
          for (let s = 0; s < resumed.stepCount; s++) {
            const at = r * resumed.stepCount + s;
            const from = r * plan.stepCount + first + s;
            expect(resumed.stepStarts[at + 1]! - resumed.stepStarts[at]!).toBe(plan.stepStarts[from + 1]! - plan.stepStarts[from]!);
            expect(resumed.isPadding[resumed.stepStarts[at]!]).toBe(plan.isPadding[plan.stepStarts[from]!]);
          }
        }
        // Resuming a resumed plan counts steps absolutely.
        const second = first + (k2 % (resumed.stepCount + 1));
        expect(resumePackedPlanAt(resumed, second)).toEqual(resumePackedPlanAt(plan, second));
      }),
      { numRuns: 200 },
    );
  });
});

describe('XTuner V1 parity building blocks', () => {
  const valuesArb = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 300 }),
    fc.array(fc.integer({ min: -5000, max: 5000 }), { maxLength: 300 }),
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 }),
  );

  it('numpyArgsort returns a permutation that sorts the values', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const order = Array.from(numpyArgsort(values));
        expect([...order].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
        for (let k = 1; k < order.length; k++) expect(values[order[k - 1]!]!).toBeLessThanOrEqual(values[order[k]!]!);
      }),
      { numRuns: 500 },
    );
  });

  it('numpyArgsort stays a correct sort on inputs that exhaust the introsort depth (heapsort fallback)', () => {
    // Organ-pipe and sawtooth shapes drive median-of-three into deep partitions.
    const shapes = [
      Array.from({ length: 4096 }, (_, i) => (i < 2048 ? i : 4096 - i)),
      Array.from({ length: 4096 }, (_, i) => (i * 7919) % 61),
      Array.from({ length: 3001 }, (_, i) => (i % 2 === 0 ? i : 3001 - i)),
    ];
    for (const values of shapes) {
      const order = numpyArgsort(values);
      for (let k = 1; k < order.length; k++) expect(values[order[k - 1]!]!).toBeLessThanOrEqual(values[order[k]!]!);
    }
  });

  it('soft packing places every sample once and keeps packs within budget except over-length singletons', () => {
    const inputArb = fc.record({
      tokens: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 300 }),
      max: fc.integer({ min: 64, max: 600 }),
      buffer: fc.integer({ min: 0, max: 50 }),
      chunk: fc.integer({ min: 1, max: 120 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(inputArb, ({ tokens, max, buffer, chunk, seed }) => {
        const numTokens = Int32Array.from(tokens);
        const list = xtunerSoftPack(numTokens, new Float64Array(tokens.length), {
          packMaxLength: max,
          globalPack: true,
          extraBufferSize: buffer,
          chunkSize: chunk,
          seed: BigInt(seed),
          datasetSizes: [tokens.length],
        });
        expect(Array.from(list.members).sort((a, b) => a - b)).toEqual(tokens.map((_, i) => i));
        for (let k = 0; k < packCount(list); k++) {
          const members = packMembers(list, k);
          const total = members.reduce((sum, i) => sum + tokens[i]!, 0);
          if (total > max) expect(members.length).toBe(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hard packing cuts packs of exactly pack_max_length tokens from the shuffled stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 700 }),
        fc.nat(2 ** 32 - 1),
        (tokens, max, seed) => {
          const list = xtunerHardPack(Int32Array.from(tokens), { packMaxLength: max, globalPack: true, seed: BigInt(seed), datasetSizes: [tokens.length] });
          const total = tokens.reduce((a, b) => a + b, 0);
          expect(packCount(list)).toBe(Math.floor(total / max));
          for (let k = 0; k < packCount(list); k++) {
            const members = Array.from(packMembers(list, k));
            const whole = members.reduce((sum, i) => sum + tokens[i]!, 0);
            const lastTokens = tokens[members[members.length - 1]!]!;
            expect(whole - list.startOffset[k]! - (lastTokens - list.endOffset[k]!)).toBe(max);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the pack sampler's global order is a permutation and each rank takes its stride of the padded order", () => {
    const argsArb = fc.record({
      keys: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 400 }),
      world: fc.integer({ min: 1, max: 8 }),
      perRank: fc.integer({ min: 1, max: 6 }),
      seed: fc.nat(),
      epoch: fc.nat(4),
      roundUp: fc.boolean(),
    });
    fc.assert(
      fc.property(argsArb, ({ keys, world, perRank, seed, epoch, roundUp }) => {
        const params = { worldSize: world, globalBatchSize: world * perRank, seed: BigInt(seed), epoch, roundUp, step: 0 };
        const out = xtunerPackSampler(keys, params);
        expect(Array.from(out.globalOrder).sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
        for (let r = 0; r < world; r++) {
          const rank = out.sampleIds.subarray(out.rankStarts[r], out.rankStarts[r + 1]);
          expect(rank.length).toBe(out.sizes.numSamples);
          rank.forEach((id, k) => expect(id).toBe(out.globalOrder[(r + k * world) % keys.length]));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('packing data structures', () => {
  it('orderByCostDescending equals a stable comparator sort, highest first', () => {
    const costArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 1e15, noNaN: true })), { maxLength: 500 });
    fc.assert(
      fc.property(costArb, (values) => {
        const costs = Float64Array.from(values);
        const expected = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
        const { order, sortedCosts } = orderByCostDescending(costs);
        expect(Array.from(order)).toEqual(expected);
        expect(Array.from(sortedCosts)).toEqual(expected.map((i) => values[i]));
      }),
      { numRuns: 300 },
    );
  });

  it('SuccessorBitset answers "smallest member ≥ x" like a sorted set', () => {
    const opsArb = fc.array(fc.tuple(fc.constantFrom('add', 'delete', 'query'), fc.nat(5000)), { maxLength: 300 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5001 }), opsArb, (size, ops) => {
        const bits = new SuccessorBitset(size);
        const set = new Set<number>();
        for (const [op, raw] of ops) {
          const x = raw % size;
          if (op === 'add') {
            bits.add(x);
            set.add(x);
          } else if (op === 'delete') {
            bits.delete(x);
            set.delete(x);
          } else {
            const members = [...set].filter((m) => m >= x);
            expect(bits.successor(x)).toBe(members.length === 0 ? -1 : Math.min(...members));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
