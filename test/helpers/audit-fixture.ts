/**
 * Audit inputs made from real plans (synthetic index → planner → the columns a shard reader
 * returns), and tampering helpers that change one thing in a copy of an epoch's shards.
 */
import { epochShardsFromPlan } from '../../lib/core/audit/columns-from-plan.js';
import type { IndexColumns } from '../../lib/core/audit/index-agreement.js';
import type { EpochShards, RankShardColumns } from '../../lib/core/audit/rank-shard-columns.js';
import type { AuditedRun } from '../../lib/core/audit/shard-auditor.js';
import { lengthsForStrategy, signedLengths, type LengthIndex } from '../../lib/core/index/length-index.js';
import { planEpoch } from '../../lib/core/plan/plan-epoch.js';
import { resolveShardSpec } from '../../lib/core/spec/resolve-shard-spec.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';

/** A planned run held in memory as the audit sees it. */
export interface PlannedFixture {
  readonly index: LengthIndex;
  readonly indexColumns: IndexColumns;
  readonly run: AuditedRun;
  readonly epochs: EpochShards[];
}

/** Plan `spec` over a synthetic index of `samples` samples and build every epoch's shard columns. */
export function plannedFixture(samples: number, spec: Record<string, unknown>, indexSeed = 7): PlannedFixture {
  const index = syntheticLengthIndex(samples, indexSeed);
  return plannedFixtureFor(index, spec);
}

/** Same as plannedFixture, for a given index. */
export function plannedFixtureFor(index: LengthIndex, spec: Record<string, unknown>): PlannedFixture {
  const resolved = resolveShardSpec(spec);
  const column = resolved.spec.lengthColumn ?? resolved.strategy.defaultLengthColumn;
  const lengths = lengthsForStrategy(index, column, resolved.strategy.usesModalitySign);
  const epochs = Array.from({ length: resolved.spec.epochs }, (_, epoch) =>
    epochShardsFromPlan(planEpoch(resolved.strategy, lengths, resolved.spec, epoch), index, lengths),
  );
  return {
    index,
    indexColumns: {
      totalTokens: index.totalTokens,
      trainableTokens: index.trainableTokens,
      modality: index.modality,
      planLengths: signedLengths(index, column),
    },
    run: {
      planFingerprint: 'a'.repeat(64),
      indexFingerprint: 'b'.repeat(64),
      strategyId: resolved.strategy.id,
      worldSize: resolved.spec.worldSize,
      microBatchSize: resolved.spec.perDeviceBatchSize,
      gradientAccumulation: resolved.spec.gradientAccumulation,
      sampleCount: index.sampleCount,
    },
    epochs,
  };
}

/** A copy of rank `rank`'s columns (typed arrays copied, so tampering never touches the original). */
export function copyColumns(columns: RankShardColumns): RankShardColumns {
  return {
    facts: { ...columns.facts },
    stepStarts: columns.stepStarts.slice(),
    sampleIds: columns.sampleIds.slice(),
    lengths: columns.lengths.slice(),
    totalTokens: columns.totalTokens.slice(),
    trainableTokens: columns.trainableTokens.slice(),
    modality: columns.modality.slice(),
    isPadding: columns.isPadding.slice(),
  };
}

/** The epoch with rank `rank` replaced by `edit(copy of its columns)`. */
export function withRank(shards: EpochShards, rank: number, edit: (columns: RankShardColumns) => RankShardColumns | null): EpochShards {
  const ranks = shards.ranks.map((columns, r) => (r === rank && columns !== null ? edit(copyColumns(columns)) : columns));
  return { ...shards, ranks };
}

/** Row `slot` of step `step` (relative to the first step) in rank columns. */
export function rowAt(columns: RankShardColumns, step: number, slot: number): number {
  return columns.stepStarts[step]! + slot;
}

/** The columns without row `row` (its record batch one row shorter), as a shard with a sample removed reads. */
export function removeRow(columns: RankShardColumns, row: number): RankShardColumns {
  const drop = <T extends Int32Array | Uint8Array>(array: T): T => {
    const out = new (array.constructor as new (n: number) => T)(array.length - 1);
    out.set(array.subarray(0, row));
    out.set(array.subarray(row + 1), row);
    return out;
  };
  const stepStarts = columns.stepStarts.map((start) => (start > row ? start - 1 : start));
  return {
    facts: columns.facts,
    stepStarts,
    sampleIds: drop(columns.sampleIds),
    lengths: drop(columns.lengths),
    totalTokens: drop(columns.totalTokens),
    trainableTokens: drop(columns.trainableTokens),
    modality: drop(columns.modality),
    isPadding: drop(columns.isPadding),
  };
}

/** The columns without their last `count` steps. */
export function dropLastSteps(columns: RankShardColumns, count: number): RankShardColumns {
  const steps = columns.stepStarts.length - 1 - count;
  const rows = columns.stepStarts[steps]!;
  return {
    facts: columns.facts,
    stepStarts: columns.stepStarts.slice(0, steps + 1),
    sampleIds: columns.sampleIds.slice(0, rows),
    lengths: columns.lengths.slice(0, rows),
    totalTokens: columns.totalTokens.slice(0, rows),
    trainableTokens: columns.trainableTokens.slice(0, rows),
    modality: columns.modality.slice(0, rows),
    isPadding: columns.isPadding.slice(0, rows),
  };
}

/** Put sample `id` at `row`, with the index's per-sample columns (a consistent rewrite, as a tamperer would make). */
export function setSample(columns: RankShardColumns, row: number, id: number, fixture: PlannedFixture): RankShardColumns {
  const { indexColumns } = fixture;
  columns.sampleIds[row] = id;
  columns.lengths[row] = indexColumns.planLengths[id]!;
  columns.totalTokens[row] = indexColumns.totalTokens[id]!;
  columns.trainableTokens[row] = indexColumns.trainableTokens[id]!;
  columns.modality[row] = indexColumns.modality[id]!;
  return columns;
}
