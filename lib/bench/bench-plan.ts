import { performance } from 'node:perf_hooks';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { findStrategy } from '../core/strategies/registry.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { syntheticSignedLengths } from '../core/synth/synthetic-lengths.js';
import { maxStepCount } from '../core/plan/resume.js';
import { planMixedEpoch } from '../core/mixture/plan-mixed-epoch.js';

/** Options of `megashard bench plan`. */
export interface BenchPlanOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly strategy: string;
  readonly seed: number;
  /** Also plan the epoch as a two-source mixture of the same size, timing the draw's cost. */
  readonly mixture?: boolean;
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
  /** With --mixture: planning the same number of entries drawn from a mixture (draw included), and its cost over the plain plan. */
  readonly mixture?: { readonly weights: string; readonly seconds: number; readonly overhead: number };
}

/**
 * A mixture that draws exactly as many entries as the index has samples, so planning work is the
 * same and the difference is the draw: 10 % of the samples ×2.5, the other 90 % ×(5/6).
 */
function sameSizeMixture(samples: number): { sources: { sourceIndex: Int32Array; sourceNames: string[] }; mixture: Record<string, { repeat: number }> } {
  const curated = Math.round(samples * 0.1);
  return {
    sources: { sourceIndex: Int32Array.from({ length: samples }, (_, id) => (id < curated ? 0 : 1)), sourceNames: ['curated', 'web'] },
    mixture: { curated: { repeat: 2.5 }, web: { repeat: (samples - curated * 2.5) / (samples - curated) } },
  };
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
  const stepsPerRank = maxStepCount(planEpoch(strategy, lengths, spec, 0));
  const seconds = (performance.now() - started) / 1000;
  // The plain plan is garbage by now: the mixed one is timed on the same heap, not beside it.
  const mixture = options.mixture === true ? timeMixedPlan(options, lengths, seconds) : undefined;
  return {
    samples: options.samples,
    strategy: strategy.id,
    worldSize: options.worldSize,
    perDeviceBatchSize: options.perDeviceBatchSize,
    stepsPerRank,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(mixture ? { mixture } : {}),
  };
}

function timeMixedPlan(options: BenchPlanOptions, lengths: Int32Array, plainSeconds: number): NonNullable<BenchPlanResult['mixture']> {
  const { sources, mixture } = sameSizeMixture(options.samples);
  const { strategy, spec } = resolveShardSpec(
    { strategy: options.strategy, seed: options.seed, worldSize: options.worldSize, perDeviceBatchSize: options.perDeviceBatchSize, mixture },
    'bench',
  );
  const started = performance.now();
  planMixedEpoch(strategy, lengths, spec, 0, sources);
  const seconds = (performance.now() - started) / 1000;
  return { weights: '10 % ×2.5 + 90 % ×5/6', seconds: Math.round(seconds * 1000) / 1000, overhead: Math.round((seconds / plainSeconds - 1) * 1000) / 1000 };
}
