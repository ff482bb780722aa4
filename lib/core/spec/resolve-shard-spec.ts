import { z } from 'zod';
import { findStrategy, listStrategies, DEFAULT_STRATEGY_ID } from '../strategies/registry.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import { InvalidInputError } from '../errors.js';
import { invalidInputFromZod } from './zod-issues.js';
import { DEFAULT_PACKING_ID, findPackingStrategy, isPackingId, listPackingStrategies, packerAsStrategy } from '../packing/packing-registry.js';
import type { PackedSpec, PackingStrategy } from '../packing/packing-strategy.js';

/** A spec validated by its strategy's schema, with the strategy resolved to a versioned id. */
export interface ResolvedShardSpec {
  readonly strategy: Strategy<CommonSpec>;
  readonly spec: CommonSpec;
  /** Present when the spec packs (`spec.packing`): the packer, and `spec` is a {@link PackedSpec}. */
  readonly packer?: PackingStrategy<PackedSpec>;
}

const strategyFieldSchema = z.object({ strategy: z.string().optional(), packing: z.unknown().optional() }).loose();

/**
 * Validate an untrusted shard spec (JSON from a file, a dataset.json, a Lambda event). The strategy
 * field picks the schema; every other field is checked by that strategy's strict schema, so a
 * misplaced option fails naming the field instead of being ignored. `where` prefixes error paths.
 */
export function resolveShardSpec(input: unknown, where = 'spec'): ResolvedShardSpec {
  const head = strategyFieldSchema.safeParse(input);
  if (!head.success) throw invalidInputFromZod(where, head.error);
  if (head.data.packing !== undefined || (head.data.strategy !== undefined && isPackingId(head.data.strategy))) return resolvePackedSpec(head.data, where);
  const strategy = findStrategyOrExplain(head.data.strategy ?? DEFAULT_STRATEGY_ID, where);
  const parsed = strategy.specSchema.safeParse({ ...head.data, strategy: strategy.id });
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error, (issue) => unknownKeyAdvice(issue, strategy));
  return { strategy, spec: parsed.data };
}

/**
 * A packed spec: `packing.strategy` (or a packing id as `strategy`, or the default) picks the
 * packer, whose strict schema checks the rest. An ordering strategy named beside `packing` is an
 * error, not ignored: it cannot pack.
 */
function resolvePackedSpec(input: Record<string, unknown> & { strategy?: string | undefined; packing?: unknown }, where: string): ResolvedShardSpec {
  const packers = listPackingStrategies()
    .map((p) => p.id)
    .join(', ');
  const top = input.strategy;
  if (top !== undefined && !isPackingId(top)) {
    const name = findStrategyOrExplain(top, where).id;
    throw new InvalidInputError(
      `${where}.strategy`,
      `is "${top}" (${name}), which orders whole samples in fixed batches and cannot pack; with ${where}.packing remove strategy (packing.strategy picks the packer: ${packers})`,
    );
  }
  if (input.packing === undefined || input.packing === null || typeof input.packing !== 'object' || Array.isArray(input.packing)) {
    throw new InvalidInputError(
      `${where}.packing`,
      `${input.packing === undefined ? 'is missing' : 'must be an object'}; ${top ?? DEFAULT_PACKING_ID} needs at least { "maxTokens": … }`,
    );
  }
  const block = input.packing as Record<string, unknown>;
  const named = typeof block['strategy'] === 'string' ? (block['strategy'] as string) : undefined;
  const packer = findPackingStrategy(named ?? top ?? DEFAULT_PACKING_ID, named !== undefined ? `${where}.packing.strategy` : `${where}.strategy`);
  if (top !== undefined && named !== undefined && findPackingStrategy(top, `${where}.strategy`).id !== packer.id) {
    throw new InvalidInputError(`${where}.strategy`, `is "${top}" but packing.strategy is "${named}": name the packer once, in packing.strategy`);
  }
  const { strategy: _top, ...rest } = input;
  const parsed = packer.specSchema.safeParse({ ...rest, strategy: packer.id, packing: { ...block, strategy: packer.id } });
  if (!parsed.success) throw invalidInputFromZod(where, parsed.error);
  return { strategy: packerAsStrategy(packer), spec: parsed.data, packer };
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
