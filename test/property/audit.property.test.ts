import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EpochShards, RankShardColumns } from '../../lib/core/audit/rank-shard-columns.js';
import type { AuditReport } from '../../lib/core/audit/report-schema.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { plannedFixtureFor, removeRow, setSample, withRank, type PlannedFixture } from '../helpers/audit-fixture.js';

const NO_EXTRAS = { files: { verified: 0, bytes: 0 }, rejects: [] };

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** Balanced specs over small corpora: many ranks per sample, padding and drops, 1–2 epochs. */
const runArb = fc.record({
  samples: fc.integer({ min: 1, max: 200 }),
  indexSeed: fc.nat(1000),
  spec: fc.record({
    strategy: fc.constant('balanced'),
    seed: fc.nat(2 ** 31),
    epochs: fc.integer({ min: 1, max: 2 }),
    worldSize: fc.integer({ min: 1, max: 5 }),
    perDeviceBatchSize: fc.integer({ min: 1, max: 4 }),
    gradientAccumulation: fc.integer({ min: 1, max: 2 }),
    groupByModality: fc.boolean(),
    remainder: fc.constantFrom('pad', 'drop'),
  }),
});

/** A planned run, or null when "drop" legitimately refuses a corpus smaller than one optimizer step. */
function plan(run: ValueOf<typeof runArb>): PlannedFixture | null {
  const { worldSize, perDeviceBatchSize, gradientAccumulation, remainder } = run.spec;
  if (remainder === 'drop' && run.samples < worldSize * perDeviceBatchSize * gradientAccumulation) return null;
  return plannedFixtureFor(syntheticLengthIndex(run.samples, run.indexSeed), run.spec);
}

function audit(fixture: PlannedFixture, epochs: EpochShards[], withPlan: boolean): AuditReport {
  const shown = withPlan ? epochs : epochs.map(({ planned: _, ...rest }) => rest);
  return auditShards(fixture.run, shown, NO_EXTRAS, fixture.indexColumns);
}

/** Where a tamper lands: picked by fractions so it fits any shape. */
const placeArb = fc.record({ epoch: fc.nat(), rank: fc.nat(), row: fc.nat(), other: fc.nat(), kind: fc.constantFrom('remove', 'duplicate', 'tokens') });

type Place = ValueOf<typeof placeArb>;

/** Rows of a rank that are not padding (a tamper there cannot hide behind a padding flag). */
function unflaggedRows(columns: RankShardColumns): number[] {
  return Array.from(columns.isPadding.keys()).filter((p) => columns.isPadding[p] === 0);
}

/** Apply one tamper to a copy of the run's epochs; null when this shape offers no such tamper. */
function tamper(fixture: PlannedFixture, place: Place): EpochShards[] | null {
  const epochs = [...fixture.epochs];
  const e = place.epoch % epochs.length;
  const shards = epochs[e]!;
  const ranks = shards.ranks.flatMap((c, r) => (c !== null && unflaggedRows(c).length > 0 ? [r] : []));
  if (ranks.length === 0) return null;
  const rank = ranks[place.rank % ranks.length]!;
  const rows = unflaggedRows(shards.ranks[rank]!);
  const row = rows[place.row % rows.length]!;
  place.epoch = e;
  if (place.kind === 'remove') {
    epochs[e] = withRank(shards, rank, (c) => removeRow(c, row));
  } else if (place.kind === 'tokens') {
    epochs[e] = withRank(shards, rank, (c) => ((c.totalTokens[row]! += 1 + (place.other % 7)), c));
  } else {
    const current = shards.ranks[rank]!.sampleIds[row]!;
    const others = shards.ranks.flatMap((c) => (c === null ? [] : unflaggedRows(c).map((p) => c.sampleIds[p]!))).filter((id) => id !== current);
    if (others.length === 0) return null;
    epochs[e] = withRank(shards, rank, (c) => setSample(c, row, others[place.other % others.length]!, fixture));
  }
  return epochs;
}

describe('audit properties', () => {
  it('every valid balanced plan passes every check (with and without its plan files)', () => {
    fc.assert(
      fc.property(runArb, (run) => {
        const fixture = plan(run);
        if (fixture === null) return;
        for (const withPlan of [true, false]) {
          const report = audit(fixture, fixture.epochs, withPlan);
          expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.summary)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("any single tamper — a sample removed, duplicated, or a row's bytes changed — fails, even without the plan files", () => {
    const applied: string[] = [];
    fc.assert(
      fc.property(runArb, placeArb, (run, place) => {
        const fixture = plan(run);
        if (fixture === null) return;
        const tampered = tamper(fixture, place);
        if (tampered === null) return;
        applied.push(place.kind);
        for (const withPlan of [true, false]) {
          const report = audit(fixture, tampered, withPlan);
          expect(report.passed, `${place.kind} at ${JSON.stringify(place)}`).toBe(false);
          const failures = report.checks.flatMap((c) => (c.status === 'fail' ? c.failures : []));
          expect(failures.some((f) => f.epoch === place.epoch)).toBe(true);
          // Against its plan files, a tamper is always located to the rank and step.
          if (withPlan) expect(failures.some((f) => f.epoch === place.epoch && f.rank !== null && f.step !== null)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    // Most generated cases must really tamper (a shape without room for one is the exception).
    for (const kind of ['remove', 'duplicate', 'tokens']) expect(applied.filter((k) => k === kind).length).toBeGreaterThan(30);
  });
});
