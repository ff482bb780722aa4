import { listStrategies } from '../core/strategies/registry.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { lengthsForStrategy, signedLengths } from '../core/index/length-index.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';
import { measurePlanQuality, type PlanQuality } from '../core/audit/plan-quality.js';

/** Options of `megashard bench quality`. */
export interface BenchQualityOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly gradientAccumulation: number;
  readonly seed: number;
}

/** One strategy's figures. */
export interface StrategyQuality extends PlanQuality {
  readonly strategy: string;
  readonly groupedBy: string;
}

/**
 * Plan epoch 0 of one synthetic mixed index with every strategy, each grouping by its own length
 * definition (as it would in production: XTuner counts an image as one token, LLaVA counts words),
 * and measure every plan on the true cost (text + image tokens).
 */
export function benchQuality(options: BenchQualityOptions): StrategyQuality[] {
  const index = syntheticLengthIndex(options.samples, options.seed);
  const trueCost = signedLengths(index, 'total');
  return listStrategies().map((strategy) => {
    const { spec } = resolveShardSpec({
      strategy: strategy.id,
      seed: options.seed,
      worldSize: options.worldSize,
      perDeviceBatchSize: options.perDeviceBatchSize,
      gradientAccumulation: options.gradientAccumulation,
    });
    const column = strategy.defaultLengthColumn;
    const lengths = lengthsForStrategy(index, column, strategy.usesModalitySign);
    const plan = planEpoch(strategy, lengths, spec, 0);
    return { strategy: strategy.id, groupedBy: column, ...measurePlanQuality(plan, trueCost) };
  });
}
