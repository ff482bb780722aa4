import { z } from 'zod';
import { findStrategy, listStrategies, DEFAULT_STRATEGY_ID } from '../strategies/registry.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import { InvalidInputError } from '../errors.js';
import { invalidInputFromZod } from './zod-issues.js';

/** A spec validated by its strategy's schema, with the strategy resolved to a versioned id. */
export interface ResolvedShardSpec {
  readonly strategy: Strategy<CommonSpec>;
  readonly spec: CommonSpec;
}

const strategyFieldSchema = z.object({ strategy: z.string().optional() }).loose();

/**
 * Validate an untrusted shard spec (JSON from a file, a dataset.json, a Lambda event). The strategy
 * field picks the schema; every other field is checked by that strategy's strict schema, so a
 * misplaced option fails naming the field instead of being ignored. `where` prefixes error paths.
 */
export function resolveShardSpec(input: unknown, where = 'spec'): ResolvedShardSpec {
  const head = strategyFieldSchema.safeParse(input);
  if (!head.success) throw invalidInputFromZod(where, head.error);
  const strategy = findStrategyOrExplain(head.data.strategy ?? DEFAULT_STRATEGY_ID, where);
  const parsed = strategy.specSchema.safeParse({ ...head.data, strategy: strategy.id });
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error, (issue) => unknownKeyAdvice(issue, strategy));
  return { strategy, spec: parsed.data };
}

/** For an unknown key: which strategies have it, and what this one accepts. */
function unknownKeyAdvice(issue: z.core.$ZodIssue, strategy: Strategy<CommonSpec>): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const owners = listStrategies()
    .filter((other) => issue.keys.some((key) => specKeys(other).includes(key)))
    .map((other) => other.id);
  const elsewhere = owners.length > 0 ? `it belongs to ${owners.join(', ')}; ` : '';
  return `${elsewhere}${strategy.id} accepts: ${specKeys(strategy).join(', ')}`;
}

function specKeys(strategy: Strategy<CommonSpec>): string[] {
  return strategy.specSchema instanceof z.ZodObject ? Object.keys(strategy.specSchema.shape) : [];
}

function findStrategyOrExplain(id: string, where: string): Strategy<CommonSpec> {
  try {
    return findStrategy(id);
  } catch (error) {
    if (error instanceof Error && error.name === 'UnknownStrategy') {
      throw new InvalidInputError(`${where}.strategy`, error.message);
    }
    throw error;
  }
}
