import { performance } from 'node:perf_hooks';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { planPackedEpoch } from '../core/packing/plan-packed-epoch.js';
import type { PackedSpec } from '../core/packing/packing-strategy.js';
import type { PackedEpochPlan } from '../core/packing/packed-epoch-plan.js';
import { planPackingEfficiency, stepCostImbalance } from '../core/packing/packed-plan-measures.js';
import { orderPacksLikeXtunerV1 } from '../core/packing/xtuner-v1-pack-plan.js';
import { PACKING_CORPORA, type PackingCorpusName } from '../core/synth/packing-corpora.js';

/** Options of `megashard bench plan --packing <maxTokens>`. */
export interface BenchPackedPlanOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly seed: number;
  /** Pack budget in tokens. */
  readonly maxTokens: number;
  /** Synthetic corpus shape: the whole mixture, LLaVA-665K-shaped SFT, or MMC4-shaped documents. */
  readonly corpus: PackingCorpusName;
  /** Packing strategy id (default balanced-pack@1). */
  readonly packing?: string;
}

/** Per-step attention-cost imbalance of a layout: max ÷ mean − 1 of the ranks' costs at each step. */
export interface StepImbalanceFigures {
  readonly mean: number;
  readonly p99: number;
  readonly max: number;
  /** Steps over 2 %. */
  readonly stepsOver2Percent: number;
}

/** One packed benchmark result line. */
export interface BenchPackedPlanResult {
  readonly samples: number;
  readonly corpus: PackingCorpusName;
  readonly strategy: string;
  readonly worldSize: number;
  readonly maxTokens: number;
  readonly packs: number;
  readonly stepsPerRank: number;
  readonly rejected: number;
  /** Planning all ranks' packs for epoch 0; excludes building the synthetic corpus. */
  readonly seconds: number;
  /** Peak resident memory of the process right after planning (corpus included). */
  readonly peakRssMb: number;
  /** Σ tokens ÷ (maxTokens × packs), repeats left out. */
  readonly efficiency: number;
  /** Per-step imbalance (cost L² + c·L, c = 12·4096): this plan's layout, and XTuner V1's pack-level grouping of the same packs. */
  readonly imbalance: { readonly plan: StepImbalanceFigures; readonly xtunerV1PackLengthGrouped: StepImbalanceFigures };
}

/** Build a synthetic corpus of N samples, then time packing epoch 0 for all ranks and measure it. */
export function benchPackedPlan(options: BenchPackedPlanOptions): BenchPackedPlanResult {
  const { packer, spec } = resolveShardSpec(
    {
      seed: options.seed,
      worldSize: options.worldSize,
      packing: { strategy: options.packing ?? 'balanced-pack@1', maxTokens: options.maxTokens, overLength: 'own-pack' },
    },
    'bench',
  );
  const corpus = PACKING_CORPORA[options.corpus](options.samples, options.seed);
  const input = { totalTokens: corpus.tokens, numImages: corpus.images, sourceIndex: new Int32Array(0), sourceNames: [] };
  const started = performance.now();
  const { plan } = planPackedEpoch(packer!, input, spec as PackedSpec, 0);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const c = (spec as PackedSpec & { packing: { costLinearWeight?: number } }).packing.costLinearWeight ?? 12 * 4096;
  const packs = trainedPacks(plan);
  const xtuner = orderPacksLikeXtunerV1(packs, corpus.tokens, options.worldSize, spec.seed, 0, options.maxTokens);
  return {
    samples: options.samples,
    corpus: options.corpus,
    strategy: plan.strategyId,
    worldSize: options.worldSize,
    maxTokens: options.maxTokens,
    packs: packs.packStarts.length - 1,
    stepsPerRank: plan.stepCount,
    rejected: plan.rejectedIds.length,
    seconds: round(seconds),
    peakRssMb,
    efficiency: round(planPackingEfficiency(plan, corpus.tokens), 5),
    imbalance: {
      plan: figures(stepCostImbalance(plan, corpus.tokens, c)),
      xtunerV1PackLengthGrouped: figures(stepCostImbalance(xtuner, corpus.tokens, c)),
    },
  };
}

/** The packs a plan trains once (declared repeats left out), as a flat list of sample ids. */
function trainedPacks(plan: PackedEpochPlan): { members: Int32Array; packStarts: Int32Array } {
  const starts: number[] = [0];
  const members = new Int32Array(plan.sampleIds.length);
  let at = 0;
  for (let p = 0; p + 1 < plan.packStarts.length; p++) {
    const start = plan.packStarts[p]!;
    const end = plan.packStarts[p + 1]!;
    if (start === end || plan.isPadding[start]) continue;
    members.set(plan.sampleIds.subarray(start, end), at);
    at += end - start;
    starts.push(at);
  }
  return { members: members.subarray(0, at), packStarts: Int32Array.from(starts) };
}

function figures(perStep: Float64Array): StepImbalanceFigures {
  if (perStep.length === 0) return { mean: 0, p99: 0, max: 0, stepsOver2Percent: 0 };
  const sorted = Float64Array.from(perStep).sort();
  let sum = 0;
  let over = 0;
  for (const value of perStep) {
    sum += value;
    if (value > 0.02) over++;
  }
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  return { mean: round(sum / perStep.length, 5), p99: round(p99, 5), max: round(sorted[sorted.length - 1]!, 5), stepsOver2Percent: over };
}

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
