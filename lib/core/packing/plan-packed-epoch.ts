import { drawEpochMultiset, MIXTURE_RULE_ID } from '../mixture/draw-epoch-multiset.js';
import type { EpochMixture } from '../mixture/epoch-mixture.js';
import { resolveEpochCounts, sourceWeightsByIndex, type SourceWeight } from '../mixture/source-weights.js';
import { validateEpoch } from '../plan/plan-epoch.js';
import { validateLengths } from '../plan/validate-lengths.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';
import type { PackedSpec, PackingInput, PackingStrategy } from './packing-strategy.js';

/** The index columns a packed epoch reads: tokens and images to pack, sources to weigh. */
export interface PackedPlanningInput extends PackingInput {
  readonly sourceIndex: Int32Array;
  readonly sourceNames: readonly string[];
}

/**
 * Plan one packed epoch. Without `spec.mixture` the packer runs on the index as is. With one, the
 * epoch's multiset is drawn exactly as for fixed batches (mixture-rotation@1, same seed and
 * epoch) and packed as an index of those entries — a sample drawn twice is two entries, packed
 * independently — then mapped back to sample ids. Errors name `tokensField[i]` for a bad sample.
 */
export function planPackedEpoch(
  packer: PackingStrategy<PackedSpec>,
  input: PackedPlanningInput,
  spec: PackedSpec,
  epoch: number,
  tokensField = 'totalTokens',
): { plan: PackedEpochPlan; mixture?: EpochMixture } {
  validateEpoch(epoch);
  validateLengths(input.totalTokens, { allowNegative: false }, tokensField);
  if (spec.mixture === undefined) return { plan: packer.planPackedEpoch(input, spec, epoch) };
  const weights = sourceWeightsByIndex(input.sourceNames, spec.mixture as Readonly<Record<string, SourceWeight>>);
  const sizes = new Array<number>(input.sourceNames.length).fill(0);
  for (let id = 0; id < input.sourceIndex.length; id++) sizes[input.sourceIndex[id]!]! += 1;
  const counts = resolveEpochCounts(input.sourceNames, sizes, weights);
  const { population, perSource } = drawEpochMultiset(
    input.sourceIndex,
    counts.map((c) => c.count),
    spec.seed,
    epoch,
  );
  const totalTokens = Int32Array.from(population, (id) => input.totalTokens[id]!);
  const numImages = Uint16Array.from(population, (id) => input.numImages[id]!);
  const byPosition = packer.planPackedEpoch({ totalTokens, numImages }, spec, epoch);
  const mixture: EpochMixture = {
    rule: MIXTURE_RULE_ID,
    sources: input.sourceNames.map((name, s) => ({
      name,
      samples: sizes[s]!,
      ...perSource[s]!,
      ...(counts[s]!.warning ? { warning: counts[s]!.warning } : {}),
    })),
  };
  return { plan: toSampleIds(byPosition, population), mixture };
}

/** A plan over population positions as a plan over sample ids; a sample rejected in several copies is listed once. */
function toSampleIds(plan: PackedEpochPlan, population: Int32Array): PackedEpochPlan {
  const sampleIds = Int32Array.from(plan.sampleIds, (position) => population[position]!);
  const rejected = new Map<number, number>();
  plan.rejectedIds.forEach((position, k) => rejected.set(population[position]!, plan.rejectedReasons[k]!));
  const rejectedIds = Int32Array.from(rejected.keys()).sort();
  const rejectedReasons = Uint8Array.from(rejectedIds, (id) => rejected.get(id)!);
  return { ...plan, sampleIds, rejectedIds, rejectedReasons };
}
