import { UnknownStrategyError } from '../errors.js';
import type { CommonSpec, Strategy } from './strategy.js';
import { balancedStrategy } from './balanced.js';
import { torchDistributedStrategy } from './torch-distributed.js';
import { hfLengthGroupedStrategy } from './hf-length-grouped.js';
import { xtunerLengthGroupedStrategy } from './xtuner-length-grouped.js';
import { llavaLengthGroupedStrategy } from './llava-length-grouped.js';
import { llavaModalityLengthGroupedStrategy } from './llava-modality-length-grouped.js';

/** Every strategy, keyed by its versioned id. `balanced` is the default. */
const STRATEGIES: readonly Strategy<any>[] = [
  balancedStrategy,
  torchDistributedStrategy,
  hfLengthGroupedStrategy,
  xtunerLengthGroupedStrategy,
  llavaLengthGroupedStrategy,
  llavaModalityLengthGroupedStrategy,
];

/** The strategy used when a spec names none. */
export const DEFAULT_STRATEGY_ID = balancedStrategy.id;

/** All registered strategies, default first. */
export function listStrategies(): readonly Strategy<CommonSpec>[] {
  return STRATEGIES;
}

/**
 * Look a strategy up by versioned id (`xtuner-length-grouped@1`) or bare name (`xtuner-length-grouped`,
 * meaning its current version). Unknown ids throw with the list of known ones.
 */
export function findStrategy(idOrName: string): Strategy<CommonSpec> {
  const exact = STRATEGIES.find((s) => s.id === idOrName);
  if (exact) return exact;
  const byName = STRATEGIES.filter((s) => s.id.split('@')[0] === idOrName);
  if (byName.length > 0) return byName[byName.length - 1]!;
  throw new UnknownStrategyError(
    idOrName,
    STRATEGIES.map((s) => s.id),
  );
}
