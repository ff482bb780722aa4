import { describe, expect, it } from 'vitest';
import { describeFailedChecks } from '../../lib/core/audit/audit-failed-error.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import type { EpochShards } from '../../lib/core/audit/rank-shard-columns.js';
import type { AuditReport, CheckId } from '../../lib/core/audit/report-schema.js';
import { dropLastSteps, plannedFixture, removeRow, rowAt, setSample, withRank, type PlannedFixture } from '../helpers/audit-fixture.js';

const SPEC = { strategy: 'balanced', seed: 11, epochs: 2, worldSize: 4, perDeviceBatchSize: 4, gradientAccumulation: 2 };
const NO_EXTRAS = { files: { verified: 0, bytes: 0 }, rejects: [] };

function audit(fixture: PlannedFixture, epochs: EpochShards[] = fixture.epochs): AuditReport {
  return auditShards(fixture.run, epochs, NO_EXTRAS, fixture.indexColumns);
}

function check(report: AuditReport, id: CheckId) {
  return report.checks.find((c) => c.id === id)!;
}

/** Failed check ids, sorted. */
function failed(report: AuditReport): string[] {
  return report.checks
    .filter((c) => c.status === 'fail')
    .map((c) => c.id)
    .sort();
}

describe('audit checks on shards of a real plan', () => {
  const fixture = plannedFixture(1000, SPEC);
  const [epoch0, epoch1] = fixture.epochs as [EpochShards, EpochShards];

  it('passes every check on untampered shards', () => {
    const report = audit(fixture);
    expect(failed(report)).toEqual([]);
    expect(report.passed).toBe(true);
    // The pack checks apply to packed runs only (test/unit/audit-packed-checks.test.ts).
    const packChecks: string[] = ['pack-structure', 'pack-budget', 'pack-image-cap', 'pack-positions', 'boundary-labels'];
    expect(report.checks.filter((c) => packChecks.includes(c.id)).map((c) => c.status)).toEqual(Array(5).fill('skip'));
    const others = report.checks.filter((c) => !packChecks.includes(c.id)).map((c) => c.status);
    expect(others.filter((status) => status === 'pass').length).toBeGreaterThanOrEqual(10);
    expect(others).not.toContain('fail');
    expect(others).not.toContain('warn');
    const [e0] = report.epochs;
    expect(e0!.distinctSamples + e0!.droppedSamples).toBe(1000);
    expect(e0!.stepsPerRank.min).toBe(e0!.stepsPerRank.max);
  });

  it('a removed sample: the sample never occurs, and its micro-batch is short (epoch, rank and step named)', () => {
    const shard = epoch0.ranks[2]!;
    const row = rowAt(shard, 5, 1);
    expect(shard.isPadding[row]).toBe(0);
    const removed = shard.sampleIds[row]!;
    const report = audit(fixture, [withRank(epoch0, 2, (c) => removeRow(c, row)), epoch1]);
    expect(failed(report)).toEqual(['exactly-once', 'full-micro-batches', 'matches-plan']);
    expect(check(report, 'full-micro-batches').summary).toBe('epoch 0 rank 2 step 5: micro-batch has 3 rows; expected 4');
    expect(check(report, 'matches-plan').summary).toMatch(/^epoch 0 rank 2 step 5: slot 1 holds sample \d+ at step 5; the plan has sample \d+ at step 5$/);
    expect(check(report, 'exactly-once').failures.map((f) => f.message)).toContain(`sample ${removed} never occurs in this epoch and is not declared dropped`);
  });

  it('a duplicated sample names both places: "epoch 0 rank 3 step 7: sample X seen twice (also epoch 0 rank 1 step 4)"', () => {
    const duplicated = epoch0.ranks[1]!.sampleIds[rowAt(epoch0.ranks[1]!, 4, 2)]!;
    const report = audit(fixture, [withRank(epoch0, 3, (c) => setSample(c, rowAt(c, 7, 0), duplicated, fixture)), epoch1]);
    expect(failed(report)).toEqual(['exactly-once', 'matches-plan']);
    const messages = check(report, 'exactly-once').failures.map((f) => `epoch ${f.epoch} rank ${f.rank} step ${f.step}: ${f.message}`);
    expect(messages).toContain(`epoch 0 rank 3 step 7: sample ${duplicated} seen twice (also epoch 0 rank 1 step 4)`);
    expect(describeFailedChecks(report)[0]).toMatch(/^exactly-once: epoch 0 rank 3 step 7: sample \d+ seen twice/);
  });

  it('changed bytes in a row (token count edited) disagree with the index at that rank and step', () => {
    const report = audit(fixture, [epoch0, withRank(epoch1, 1, (c) => ((c.totalTokens[rowAt(c, 3, 2)]! += 1), c))]);
    expect(failed(report)).toEqual(['index-agreement']);
    const [finding] = check(report, 'index-agreement').failures;
    expect([finding!.epoch, finding!.rank, finding!.step]).toEqual([1, 1, 3]);
    expect(finding!.message).toMatch(/^sample \d+: total_tokens \d+ \(index: \d+\)$/);
  });

  it('an id outside the index is unknown, at its rank and step', () => {
    const report = audit(fixture, [withRank(epoch0, 0, (c) => ((c.sampleIds[rowAt(c, 2, 3)] = 1000), c)), epoch1]);
    expect(check(report, 'known-ids').summary).toBe('epoch 0 rank 0 step 2: sample 1000 is not a row of the 1000-sample index');
    expect(report.epochs[0]!.quality.written.wastedSlotFraction).toBeGreaterThan(0);
  });

  it('a rank that stops early fails equal-steps, naming the step where it stops', () => {
    const steps = epoch0.ranks[3]!.stepStarts.length - 1;
    const report = audit(fixture, [withRank(epoch0, 3, (c) => dropLastSteps(c, 1)), epoch1]);
    expect(check(report, 'equal-steps').summary).toBe(
      `epoch 0 rank 3 step ${steps - 1}: rank runs ${steps - 1} steps and stops here; ranks 0, 1, 2 run ${steps}`,
    );
    expect(check(report, 'exactly-once').status).toBe('fail');
  });

  it('a missing rank file and a misplaced file fail shard-files', () => {
    const misplaced = withRank(epoch1, 2, (c) => ({ ...c, facts: { ...c.facts, rank: 3 } }));
    const report = audit(fixture, [withRank(epoch0, 1, () => null), misplaced]);
    expect(check(report, 'shard-files').failures.map((f) => `${f.epoch}/${f.rank}: ${f.message}`)).toEqual([
      '0/1: no usable shard file for this rank',
      "1/2: the file's metadata says rank 3; expected 2",
    ]);
  });

  it('an entry flagged as padding without being declared: the padding count and coverage both fail', () => {
    const report = audit(fixture, [withRank(epoch0, 0, (c) => ((c.isPadding[0] = 1), c)), epoch1]);
    expect(failed(report)).toEqual(['exactly-once', 'matches-plan', 'padding-declared']);
    expect(check(report, 'padding-declared').summary).toBe(
      `epoch 0: ${epoch0.declared.paddingEntries! + 1} entries are flagged as padding; the plan declares ${epoch0.declared.paddingEntries}`,
    );
    expect(check(report, 'exactly-once').summary).toMatch(/^epoch 0 rank 0 step 0: sample \d+ is flagged as padding but never occurs unflagged/);
  });

  it('a declared drop that occurs anyway is named where it occurs', () => {
    const plan = plannedFixture(1001, { ...SPEC, remainder: 'drop', epochs: 1 });
    const [shards] = plan.epochs as [EpochShards];
    expect(shards.declared.droppedIds.length).toBeGreaterThan(0);
    const dropped = shards.declared.droppedIds[0]!;
    const tampered = withRank(shards, 2, (c) => setSample(c, rowAt(c, 1, 0), dropped, plan));
    const report = audit(plan, [tampered]);
    expect(check(report, 'exactly-once').failures.map((f) => `rank ${f.rank} step ${f.step}: ${f.message}`)).toContain(
      `rank 2 step 1: sample ${dropped} is declared dropped from this epoch but occurs`,
    );
  });

  it('lists declared padding entries where they are', () => {
    const padded = plannedFixture(1001, { ...SPEC, remainder: 'pad', epochs: 1 });
    const [shards] = padded.epochs as [EpochShards];
    const report = audit(padded);
    expect(report.passed).toBe(true);
    const { padding, paddingEntries } = report.epochs[0]!;
    expect(paddingEntries).toBe(shards.declared.paddingEntries);
    expect(padding.sampleIds).toHaveLength(paddingEntries);
    padding.sampleIds.forEach((id, i) => {
      const columns = shards.ranks[padding.ranks[i]!]!;
      const start = columns.stepStarts[padding.steps[i]!]!;
      const batch = Array.from(columns.sampleIds.subarray(start, columns.stepStarts[padding.steps[i]! + 1]));
      expect(batch).toContain(id);
    });
  });
});
