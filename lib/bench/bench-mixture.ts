import { measurePlanQuality, type PlanQuality } from '../core/audit/plan-quality.js';
import { lengthsForStrategy, signedLengths } from '../core/index/length-index.js';
import { planMixedEpoch } from '../core/mixture/plan-mixed-epoch.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { listStrategies } from '../core/strategies/registry.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';
import type { BenchQualityOptions } from './bench-quality.js';

/** The example mixture: a small curated source up-sampled, a large web source down-sampled. */
export const BENCH_MIXTURE = {
  curated: { share: 0.05, weight: { repeat: 3 } },
  web: { share: 0.95, weight: { repeat: 0.25 } },
} as const;

/** One strategy on the mixture: epoch 0's quality, what each source gave, and web's coverage over epochs. */
export interface MixtureQuality extends PlanQuality {
  readonly strategy: string;
  readonly mixture: string;
  readonly sources: readonly { readonly name: string; readonly samples: number; readonly drawn: number; readonly distinct: number }[];
  /** Share of the web source's samples seen at least once after 1, 2, 3 and 4 epochs. */
  readonly webSeenByEpoch: readonly number[];
}

/**
 * Plan a two-source mixture (curated ×3, web ×0.25) with every strategy: the quality of epoch 0
 * on true cost, entries and distinct samples per source, and how much of the down-sampled source
 * four epochs see (the rotation's promise: all of it, no sample twice before that).
 */
export function benchMixtureQuality(options: BenchQualityOptions): MixtureQuality[] {
  const index = syntheticLengthIndex(options.samples, options.seed);
  const curated = Math.max(1, Math.round(options.samples * BENCH_MIXTURE.curated.share));
  const sources = { sourceIndex: Int32Array.from({ length: options.samples }, (_, id) => (id < curated ? 0 : 1)), sourceNames: ['curated', 'web'] };
  const trueCost = signedLengths(index, 'total');
  return listStrategies().map((strategy) => {
    const { spec } = resolveShardSpec({
      strategy: strategy.id,
      seed: options.seed,
      worldSize: options.worldSize,
      perDeviceBatchSize: options.perDeviceBatchSize,
      gradientAccumulation: options.gradientAccumulation,
      mixture: { curated: BENCH_MIXTURE.curated.weight, web: BENCH_MIXTURE.web.weight },
    });
    const lengths = lengthsForStrategy(index, strategy.defaultLengthColumn, strategy.usesModalitySign);
    const seen = new Uint8Array(options.samples);
    const webSeenByEpoch: number[] = [];
    let first: ReturnType<typeof planMixedEpoch> | undefined;
    for (let epoch = 0; epoch < 4; epoch++) {
      const planned = planMixedEpoch(strategy, lengths, spec, epoch, sources);
      first ??= planned;
      for (const id of planned.plan.sampleIds) seen[id] = 1;
      let webSeen = 0;
      for (let id = curated; id < options.samples; id++) webSeen += seen[id]!;
      webSeenByEpoch.push(webSeen / (options.samples - curated));
    }
    const quality = measurePlanQuality(first!.plan, trueCost);
    const perSource = first!.mixture!.sources.map(({ name, samples, drawn, distinct }) => ({ name, samples, drawn, distinct }));
    return { strategy: strategy.id, mixture: 'curated ×3 + web ×0.25', ...quality, sources: perSource, webSeenByEpoch };
  });
}
