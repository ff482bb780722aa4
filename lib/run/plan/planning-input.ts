import { decodeLengthIndex, type LengthIndexMetadata } from '../../arrow/index.js';
import { lengthsForStrategy, type LengthIndex } from '../../core/index/length-index.js';
import type { LengthColumn } from '../../core/spec/common-fields.js';
import type { ResolvedShardSpec } from '../../core/spec/resolve-shard-spec.js';
import type { ObjectStore } from '../../io/object-store.js';

/** The Arrow column behind each length choice, for messages. */
export const LENGTH_COLUMN_NAMES: Record<LengthColumn, string> = { total: 'total_tokens', xtuner: 'xtuner_length', llava: 'llava_length' };

/** A decoded index and the signed lengths a spec plans with. */
export interface PlanningInput {
  readonly index: LengthIndex;
  readonly metadata: LengthIndexMetadata;
  readonly lengthColumn: LengthColumn;
  readonly lengths: Int32Array;
}

/**
 * Read and verify the length index, pick the spec's length column (or the strategy's default), and
 * validate the lengths for the strategy up front, naming the file and column of a bad sample, so
 * nothing is written for an unplannable index.
 */
export async function loadPlanningInput(location: { readonly store: ObjectStore; readonly key: string }, resolved: ResolvedShardSpec): Promise<PlanningInput> {
  const where = `${location.store.location}/${location.key}`;
  const { index, metadata } = decodeLengthIndex(await location.store.get(location.key), where);
  const lengthColumn = resolved.spec.lengthColumn ?? resolved.strategy.defaultLengthColumn;
  const lengths = lengthsForStrategy(index, lengthColumn, resolved.strategy.usesModalitySign);
  resolved.strategy.validateLengths(lengths, `${where} ${LENGTH_COLUMN_NAMES[lengthColumn]}`);
  return { index, metadata, lengthColumn, lengths };
}
