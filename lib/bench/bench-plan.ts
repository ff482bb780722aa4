import { performance } from 'node:perf_hooks';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { findStrategy } from '../core/strategies/registry.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { syntheticSignedLengths } from '../core/synth/synthetic-lengths.js';
import { maxStepCount } from '../core/plan/resume.js';

/** Options of `megashard bench plan`. */
export interface BenchPlanOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly strategy: string;
  readonly seed: number;
}

/** One benchmark result line. */
export interface BenchPlanResult {
  readonly samples: number;
  readonly strategy: string;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly stepsPerRank: number;
  /** Planning all ranks' order for one epoch; excludes building the synthetic index. */
  readonly seconds: number;
  /** Peak resident memory of the whole process so far. */
  readonly peakRssMb: number;
}

/** Build a synthetic mixed-length index of N samples, then time planning epoch 0 for all ranks. */
export function benchPlan(options: BenchPlanOptions): BenchPlanResult {
  findStrategy(options.strategy); // an unknown --strategy fails as UnknownStrategy, listing the known ids
  const { strategy, spec } = resolveShardSpec(
    {
      strategy: options.strategy,
      seed: options.seed,
      worldSize: options.worldSize,
      perDeviceBatchSize: options.perDeviceBatchSize,
    },
    'bench',
  );
  const signed = syntheticSignedLengths(options.samples, options.seed);
  const lengths = strategy.usesModalitySign ? signed : signed.map(Math.abs);
  const started = performance.now();
  const plan = planEpoch(strategy, lengths, spec, 0);
  const seconds = (performance.now() - started) / 1000;
  return {
    samples: options.samples,
    strategy: strategy.id,
    worldSize: options.worldSize,
    perDeviceBatchSize: options.perDeviceBatchSize,
    stepsPerRank: maxStepCount(plan),
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
