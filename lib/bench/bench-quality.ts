import { listStrategies } from '../core/strategies/registry.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { lengthsForStrategy, signedLengths } from '../core/index/length-index.js';
import { syntheticLengthIndex } from '../core/synth/synthetic-index.js';
import { measurePlanQuality, type PlanQuality } from '../core/audit/plan-quality.js';
import { listPackingStrategies } from '../core/packing/packing-registry.js';
import { planPackedEpoch } from '../core/packing/plan-packed-epoch.js';
import type { PackedSpec } from '../core/packing/packing-strategy.js';
import { measurePackedPlanQuality, type PackedPlanQuality } from '../core/packing/packed-plan-quality.js';

/** Options of `megashard bench quality`. */
export interface BenchQualityOptions {
  readonly samples: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly gradientAccumulation: number;
  readonly seed: number;
  /** Pack budgets of the packed rows (every packing strategy at each), e.g. [4096, 8192]; none = no packed rows. */
  readonly packing?: readonly number[];
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

/** One packing strategy's figures at one budget, on the same corpus as the fixed-batch rows. */
export interface PackedStrategyQuality extends PackedPlanQuality {
  readonly strategy: string;
  readonly packed: true;
}

/**
 * The packed rows: epoch 0 of the same synthetic index packed by every packing strategy at each
 * budget, measured on true cost (fill waste: budget left empty in the packs; padding waste: the
 * repeated packs), beside the fixed-batch rows' padding to the longest sample.
 */
export function benchPackedQuality(options: BenchQualityOptions): PackedStrategyQuality[] {
  const index = syntheticLengthIndex(options.samples, options.seed);
  const rows: PackedStrategyQuality[] = [];
  for (const maxTokens of options.packing ?? []) {
    for (const packer of listPackingStrategies()) {
      const { spec } = resolveShardSpec({
        seed: options.seed,
        worldSize: options.worldSize,
        gradientAccumulation: options.gradientAccumulation,
        packing: { strategy: packer.id, maxTokens },
      });
      const { plan } = planPackedEpoch(packer, index, spec as PackedSpec, 0);
      rows.push({ strategy: packer.id, packed: true, ...measurePackedPlanQuality(plan, index.totalTokens) });
    }
  }
  return rows;
}
