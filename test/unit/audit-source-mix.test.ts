/**
 * The audit of mixed epochs: coverage per source against the draw recomputed from the manifest's
 * mixture block (never from the shards), located failures, the mix in report.json, and the
 * zero-sample warning repeated as an audit warning.
 */
import { describe, expect, it } from 'vitest';
import { epochShardsFromPlan } from '../../lib/core/audit/columns-from-plan.js';
import type { EpochShards } from '../../lib/core/audit/rank-shard-columns.js';
import { renderAuditReportHtml } from '../../lib/core/audit/report-html.js';
import { auditReportSchema, type AuditReport } from '../../lib/core/audit/report-schema.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import { lengthsForStrategy, signedLengths, type LengthIndex } from '../../lib/core/index/length-index.js';
import { planMixedEpoch } from '../../lib/core/mixture/plan-mixed-epoch.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { withRank, type PlannedFixture } from '../helpers/audit-fixture.js';

const NO_EXTRAS = { files: { verified: 0, bytes: 0 }, rejects: [] };

/** 300 samples: the first 30 "curated" (×2.5), the rest "web" (×0.3); 3 epochs planned with `strategy`. */
function mixedFixture(strategy: string, mixture: Record<string, unknown> = { curated: { repeat: 2.5 }, web: { repeat: 0.3 } }) {
  const base = syntheticLengthIndex(300, 5);
  const index: LengthIndex = { ...base, sourceNames: ['curated', 'web'], sourceIndex: Int32Array.from({ length: 300 }, (_, id) => (id < 30 ? 0 : 1)) };
  const resolved = resolveShardSpec({ strategy, seed: 3, epochs: 3, worldSize: 4, perDeviceBatchSize: 2, mixture });
  const column = resolved.spec.lengthColumn ?? resolved.strategy.defaultLengthColumn;
  const lengths = lengthsForStrategy(index, column, resolved.strategy.usesModalitySign);
  const epochs: EpochShards[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const { plan, mixture: block } = planMixedEpoch(resolved.strategy, lengths, resolved.spec, epoch, index);
    const shards = epochShardsFromPlan(plan, index, lengths);
    epochs.push({ ...shards, declared: { ...shards.declared, mixture: { block: block!, seed: resolved.spec.seed } } });
  }
  const fixture: PlannedFixture = {
    index,
    indexColumns: {
      totalTokens: index.totalTokens,
      trainableTokens: index.trainableTokens,
      modality: index.modality,
      planLengths: signedLengths(index, column),
      sources: { sourceIndex: index.sourceIndex, sourceNames: index.sourceNames },
    },
    run: {
      planFingerprint: 'a'.repeat(64),
      indexFingerprint: 'b'.repeat(64),
      strategyId: resolved.strategy.id,
      worldSize: 4,
      microBatchSize: 2,
      gradientAccumulation: 1,
      sampleCount: 300,
    },
    epochs,
  };
  return fixture;
}

const audit = (fixture: PlannedFixture, epochs = fixture.epochs): AuditReport => auditShards(fixture.run, epochs, NO_EXTRAS, fixture.indexColumns);
const check = (report: AuditReport, id: string) => report.checks.find((c) => c.id === id)!;

describe('the audit of a mixed run', () => {
  for (const strategy of ['balanced@1', 'xtuner-length-grouped@1', 'torch-distributed@1']) {
    it(`passes every epoch of ${strategy} per source and reports the mix`, () => {
      const report = audit(mixedFixture(strategy));
      expect(auditReportSchema.parse(report)).toEqual(report);
      expect(check(report, 'exactly-once').status, check(report, 'exactly-once').summary).toBe('pass');
      expect(report.passed).toBe(true);
      const mix = report.epochs.map((e) => e.mix!.sources.map((s) => [s.name, s.declaredEntries === s.seenEntries, s.seenSoFar]));
      // web: 270 samples, 81 a epoch, a rotating window: 81, 162, 243 seen so far; curated all 30 every epoch.
      expect(mix).toEqual([
        [
          ['curated', true, 30],
          ['web', true, 81],
        ],
        [
          ['curated', true, 30],
          ['web', true, 162],
        ],
        [
          ['curated', true, 30],
          ['web', true, 243],
        ],
      ]);
      expect(report.epochs[0]!.mix!.sources[0]).toMatchObject({ samples: 30, declaredDistinct: 30, seenDistinct: 30 });
      expect(check(report, 'source-weights').status).toBe('pass');
    });
  }

  it('fails a sample seen once too often, and the one it displaced, located to epoch, rank and step', () => {
    const fixture = mixedFixture('balanced@1');
    const e1 = fixture.epochs[1]!;
    // Rank 2's first row becomes a copy of its second: one sample too many, another missing.
    const tampered = withRank(e1, 2, (columns) => {
      const other = columns.sampleIds[1]!;
      columns.sampleIds[0] = other;
      return columns;
    });
    const lost = e1.ranks[2]!.sampleIds[0]!;
    const doubled = e1.ranks[2]!.sampleIds[1]!;
    const name = (id: number) => (id < 30 ? 'curated' : 'web');
    const report = audit(fixture, [fixture.epochs[0]!, tampered, fixture.epochs[2]!]);
    const exactlyOnce = check(report, 'exactly-once');
    expect(exactlyOnce.status).toBe('fail');
    const messages = exactlyOnce.failures.map((f) => `${f.epoch}/${f.rank}/${f.step}: ${f.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(new RegExp(`^1/2/0: sample ${doubled} \\(source ${name(doubled)}\\) seen \\d+ times by here, declared \\d+$`)),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(new RegExp(`^1/null/null: sample ${lost} \\(source ${name(lost)}\\) seen \\d+ times, declared \\d+$`)),
    );
    expect(renderAuditReportHtml(report)).toContain('<tr class="source-mix fail"');
  });

  it('fails a sample dropped from a shard (seen 0 times, declared 1)', () => {
    const fixture = mixedFixture('balanced@1', { curated: { repeat: 2 }, web: { repeat: 0.5 } });
    const e0 = fixture.epochs[0]!;
    const webRow = Array.from(e0.ranks[1]!.sampleIds).findIndex((id) => id >= 30);
    const webId = e0.ranks[1]!.sampleIds[webRow]!;
    const curatedId = Array.from(e0.ranks[1]!.sampleIds).find((id) => id < 30)!;
    // The web sample's row is taken by a third copy of a curated sample.
    const tampered = withRank(e0, 1, (columns) => {
      columns.sampleIds[webRow] = curatedId;
      return columns;
    });
    const report = audit(fixture, [tampered]);
    const found = check(report, 'exactly-once').failures.map((f) => `${f.epoch === null ? '' : `epoch ${f.epoch}`}: ${f.message}`);
    expect(found).toContain(`epoch 0: sample ${webId} (source web) seen 0 times, declared 1`);
    expect(found).toContainEqual(expect.stringMatching(new RegExp(`sample ${curatedId} \\(source curated\\) seen 3 times by here, declared 2`)));
  });

  it('holds the shards to the draw the manifest declares, not to what the shards hold', () => {
    const fixture = mixedFixture('balanced@1');
    const e0 = fixture.epochs[0]!;
    const block = e0.declared.mixture!.block;
    // A manifest that claims web drew one entry more than it did: the recomputed draw owes a sample the shards lack.
    const claimed = { ...block, sources: block.sources.map((s) => (s.name === 'web' ? { ...s, drawn: s.drawn + 1, distinct: s.distinct + 1 } : s)) };
    const report = audit(fixture, [{ ...e0, declared: { ...e0.declared, mixture: { block: claimed, seed: e0.declared.mixture!.seed } } }]);
    expect(check(report, 'exactly-once').failures.map((f) => f.message)).toContainEqual(
      expect.stringMatching(/^sample \d+ \(source web\) seen 0 times, declared 1$/),
    );
    // A wrong seed recomputes another draw: the shards no longer match it.
    const reseeded = audit(fixture, [{ ...e0, declared: { ...e0.declared, mixture: { block, seed: 4n } } }]);
    expect(check(reseeded, 'exactly-once').status).toBe('fail');
  });

  it('repeats a weight that rounds a source to zero as a warning, and the audit still passes', () => {
    const fixture = mixedFixture('balanced@1', { curated: { repeat: 0.01 }, web: { repeat: 1 } });
    const report = audit(fixture);
    expect(report.passed).toBe(true);
    const weights = check(report, 'source-weights');
    expect(weights.status).toBe('warn');
    expect(weights.summary).toBe('epoch 0: source "curated": its weight rounds to 0 samples this epoch (and 2 more)');
    expect(report.epochs[0]!.mix!.sources[0]).toMatchObject({
      name: 'curated',
      declaredEntries: 0,
      seenEntries: 0,
      warning: expect.stringContaining('rounds to 0'),
    });
  });

  it('cannot hold a mixed epoch to its draw without the index source column: a failure, not a pass', () => {
    const fixture = mixedFixture('balanced@1');
    const { sources: _sources, ...withoutSources } = fixture.indexColumns;
    const report = auditShards(fixture.run, fixture.epochs.slice(0, 1), NO_EXTRAS, withoutSources);
    expect(check(report, 'exactly-once').failures[0]!.message).toMatch(/mixed \(mixture-rotation@1\) but the run has no length index/);
  });
});
