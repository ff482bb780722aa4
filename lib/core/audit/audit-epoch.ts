import type { PlanQuality } from './plan-quality.js';
import { CheckLedger } from './check-catalog.js';
import { checkEpochCoverage, type EpochCoverage } from './epoch-coverage.js';
import { measureEpochQuality, wastedSlotFraction } from './epoch-quality.js';
import type { EpochOrder } from './epoch-order.js';
import { FindingList } from './finding.js';
import { checkIndexAgreement, type IndexColumns } from './index-agreement.js';
import { checkPlanAgreement } from './plan-agreement.js';
import { findLongestFirst, promisesLongestFirst } from './longest-first.js';
import type { EpochShards } from './rank-shard-columns.js';
import type { EpochReport } from './report-schema.js';
import { checkMixedCoverage, type MixedCoverage } from './source-coverage.js';
import { checkStepStructure, type RunShape } from './step-structure.js';
import { measureStepTokens } from './step-tokens.js';
import { auditEpochPacking } from './audit-epoch-packing.js';
import type { ShardPacking } from '../shards/shard-packing.js';

/** What every epoch is audited against. */
export interface EpochAuditContext {
  readonly sampleCount: number;
  readonly shape: RunShape;
  readonly strategyId: string;
  /** The length index's columns, to check rows against; omitted → the check is skipped. */
  readonly index?: IndexColumns;
  /** A packed run's packing (its shard manifests'): the pack checks replace full-micro-batches. */
  readonly packing?: ShardPacking;
}

/** One epoch audited: its report section, and its order (kept to compare epochs pairwise). */
export interface EpochAudit {
  readonly report: EpochReport;
  readonly order: EpochOrder;
}

/**
 * Audit one epoch from its shards alone, recording every check's findings in `ledger`. Afterwards
 * only the report section and the order (each rank's sample ids) are kept.
 */
export function auditEpoch(
  shards: EpochShards,
  context: EpochAuditContext,
  ledger: CheckLedger,
  everSeen: () => Uint8Array = () => new Uint8Array(0),
): EpochAudit {
  const { epoch } = shards;
  const coverage = checkCoverage(shards, context, ledger, everSeen);
  const structure = checkStepStructure(shards, context.shape);
  ledger.record('shard-files', structure.shardFiles);
  ledger.record('known-ids', coverage.knownIds);
  ledger.record('exactly-once', coverage.exactlyOnce);
  if (shards.declared.paddingEntries !== null) ledger.record('padding-declared', coverage.paddingDeclared);
  ledger.record('equal-steps', structure.equalSteps);
  // A packed step holds whole packs, a variable number of rows: the pack checks judge it instead.
  if (context.packing === undefined) ledger.record('full-micro-batches', structure.fullMicroBatches);
  const packing = context.packing && auditEpochPacking(shards, context.packing, ledger, context.index?.numImages);
  // Checked here from the plan files, or already where they were read (the audit fan-out's partials).
  const planAgreement = shards.planAgreement ?? (shards.planned === undefined ? undefined : checkPlanAgreement(shards, shards.planned));
  if (planAgreement !== undefined) ledger.record('matches-plan', planAgreement);
  if (context.index !== undefined) ledger.record('index-agreement', checkIndexAgreement(shards, context.index));
  const longestFirst = findLongestFirst(shards.ranks);
  ledger.record('longest-first', longestFirstFindings(epoch, longestFirst));
  if (!promisesLongestFirst(context.strategyId)) ledger.markAdvisory('longest-first');
  const stepTokens = measureStepTokens(shards.ranks);
  const quality = measureEpochQuality(shards, context.shape.microBatchSize);
  const report: EpochReport = {
    epoch,
    ranks: shards.ranks.length,
    entries: coverage.entries,
    distinctSamples: coverage.distinctSamples,
    paddingEntries: coverage.paddingEntries,
    droppedSamples: coverage.droppedDeclared,
    coverage: coverage.coverage,
    stepsPerRank: { min: structure.stepsPerRankMin, max: structure.stepsPerRankMax },
    padding: coverage.padding,
    quality: { written: qualityFigures(quality.written), randomOrder: qualityFigures(quality.randomOrder) },
    worstStep: stepTokens.worstStep,
    longestFirst,
    heatmap: { ...stepTokens.heatmap, meanTokens: stepTokens.heatmap.meanTokens.map(roundTenth) },
    imbalanceSeries: {
      stepsPerColumn: stepTokens.imbalanceSeries.stepsPerColumn,
      mean: stepTokens.imbalanceSeries.mean.map(roundRatio),
      max: stepTokens.imbalanceSeries.max.map(roundRatio),
    },
    ...('mix' in coverage ? { mix: coverage.mix } : {}),
    ...(packing ? { packing } : {}),
  };
  return { report, order: { epoch, ranks: shards.ranks.map((columns) => columns?.sampleIds ?? null) } };
}

/**
 * Coverage as the epoch declares it: exactly once, or — for a mixed epoch — per source, as often
 * as its recomputed draw says (the zero-sample warnings recorded as `source-weights`). A mixed
 * epoch without the index's source column cannot be held to its draw: that is a finding.
 */
function checkCoverage(shards: EpochShards, context: EpochAuditContext, ledger: CheckLedger, everSeen: () => Uint8Array): EpochCoverage | MixedCoverage {
  const mixture = shards.declared.mixture;
  const sources = context.index?.sources;
  if (mixture === undefined) return checkEpochCoverage(shards, context.sampleCount);
  if (sources === undefined || sources.sourceIndex.length !== context.sampleCount) {
    const coverage = checkEpochCoverage(shards, context.sampleCount);
    const exactlyOnce = new FindingList();
    exactlyOnce.add(
      shards.epoch,
      null,
      null,
      `the epoch is mixed (${mixture.block.rule}) but the run has no length index whose source column its draw can be recomputed from`,
    );
    return { ...coverage, exactlyOnce };
  }
  const coverage = checkMixedCoverage(shards, mixture, sources, everSeen());
  ledger.record('source-weights', coverage.weightWarnings);
  ledger.markAdvisory('source-weights');
  return coverage;
}

function longestFirstFindings(epoch: number, result: ReturnType<typeof findLongestFirst>): FindingList {
  const findings = new FindingList();
  const { longest } = result;
  if (!result.holds && longest !== null) {
    findings.add(
      epoch,
      longest.rank,
      longest.step,
      `the epoch's longest sample ${longest.sampleId} (|length| ${longest.length}) is here; the first step's longest is ${result.firstStepLongest}`,
    );
  }
  return findings;
}

function qualityFigures(quality: PlanQuality): { meanStepTokenImbalance: number; wastedSlotFraction: number; paddingPerRealToken: number } {
  return {
    meanStepTokenImbalance: roundRatio(quality.meanStepTokenImbalance),
    wastedSlotFraction: roundRatio(wastedSlotFraction(quality)),
    paddingPerRealToken: roundRatio(quality.paddingWaste),
  };
}

/** Ratios keep 6 decimals: enough for any chart or comparison, and the JSON stays small. */
export function roundRatio(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
