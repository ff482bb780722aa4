import { performance } from 'node:perf_hooks';
import { epochShardsFromPlan } from '../core/audit/columns-from-plan.js';
import { renderAuditReportHtml } from '../core/audit/report-html.js';
import { auditShards } from '../core/audit/shard-auditor.js';
import { lengthsForStrategy, signedLengths } from '../core/index/length-index.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';

/** Options of `megashard bench audit`. */
export interface BenchAuditOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly seed: number;
}

/** One benchmark result line. */
export interface BenchAuditResult {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly stepsPerRank: number;
  /** Auditing the epoch from its rank columns (every check and measure, the report object): wall clock. */
  readonly seconds: number;
  /** The same, in CPU time of this process (user + system): steadier than wall time on a shared machine. */
  readonly cpuSeconds: number;
  /** Planning the same epoch in the same process, for scale on a shared machine (wall, CPU). */
  readonly planSeconds: number;
  readonly planCpuSeconds: number;
  /** Rendering report.html from the report. */
  readonly htmlSeconds: number;
  readonly passed: boolean;
  readonly peakRssMb: number;
}

/**
 * Build a synthetic index, plan epoch 0 with `balanced`, build every rank's columns in memory as
 * the shard reader would return them (and the plan files' columns), then time the audit alone:
 * reading and hashing files is I/O and is not part of this figure.
 */
export function benchAudit(options: BenchAuditOptions): BenchAuditResult {
  const index = syntheticLengthIndex(options.samples, options.seed);
  const { strategy, spec } = resolveShardSpec(
    { strategy: 'balanced', seed: options.seed, worldSize: options.worldSize, perDeviceBatchSize: options.perDeviceBatchSize },
    'bench',
  );
  const column = spec.lengthColumn ?? strategy.defaultLengthColumn;
  const lengths = lengthsForStrategy(index, column, strategy.usesModalitySign);
  const planTimer = startTimer();
  const plan = planEpoch(strategy, lengths, spec, 0);
  const planTime = planTimer();
  const shards = epochShardsFromPlan(plan, index, lengths);
  const indexColumns = {
    totalTokens: index.totalTokens,
    trainableTokens: index.trainableTokens,
    modality: index.modality,
    planLengths: signedLengths(index, column),
  };
  const run = {
    planFingerprint: '0'.repeat(64),
    indexFingerprint: '0'.repeat(64),
    strategyId: strategy.id,
    worldSize: spec.worldSize,
    microBatchSize: spec.perDeviceBatchSize,
    gradientAccumulation: spec.gradientAccumulation,
    sampleCount: index.sampleCount,
  };
  const auditTimer = startTimer();
  const report = auditShards(run, [shards], { files: { verified: 0, bytes: 0 }, rejects: [] }, indexColumns);
  const auditTime = auditTimer();
  const htmlStarted = performance.now();
  renderAuditReportHtml(report);
  const htmlSeconds = (performance.now() - htmlStarted) / 1000;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    samples: options.samples,
    worldSize: options.worldSize,
    perDeviceBatchSize: options.perDeviceBatchSize,
    stepsPerRank: report.epochs[0]!.stepsPerRank.max,
    seconds: round(auditTime.wall),
    cpuSeconds: round(auditTime.cpu),
    planSeconds: round(planTime.wall),
    planCpuSeconds: round(planTime.cpu),
    htmlSeconds: round(htmlSeconds),
    passed: report.passed,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Start a stopwatch; calling the result gives elapsed wall and process CPU seconds. */
function startTimer(): () => { wall: number; cpu: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}
