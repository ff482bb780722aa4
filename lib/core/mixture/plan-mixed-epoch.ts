import { planEpoch, validateEpoch } from '../plan/plan-epoch.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import { drawEpoch, MIXTURE_RULE_ID } from './draw-epoch-multiset.js';
import { readWhole } from './drawn-multiset.js';
import { sourceSizes } from './source-draws.js';
import type { EpochMixture } from './epoch-mixture.js';
import { resolveEpochCounts, sourceWeightsByIndex, type SourceWeight } from './source-weights.js';

/** The index columns a mixture draws from. */
export interface MixtureSources {
  readonly sourceIndex: Int32Array;
  readonly sourceNames: readonly string[];
}

/**
 * Plan one epoch of a spec that may weight its sources (`spec.mixture`): draw the epoch's multiset
 * (seeded by the spec's seed and the epoch), then plan it with the spec's strategy exactly as an
 * index of those entries — length grouping, balance and padding all work on the drawn multiset —
 * and map the plan back to sample ids. A strategy with `planMultiset` plans the drawn ids
 * directly as they are drawn (same bytes, no population array, gather or remap). Without a
 * mixture this is `planEpoch`, byte for byte.
 */
export function planMixedEpoch<S extends CommonSpec>(
  strategy: Strategy<S>,
  signedLengths: Int32Array,
  spec: S,
  epoch: number,
  sources: MixtureSources,
  lengthsField = 'lengths',
): { plan: EpochPlan; mixture?: EpochMixture } {
  if (spec.mixture === undefined) return { plan: planEpoch(strategy, signedLengths, spec, epoch, lengthsField) };
  const weights = sourceWeightsByIndex(sources.sourceNames, spec.mixture as Readonly<Record<string, SourceWeight>>);
  const sizes = sourceSizes(sources.sourceIndex, sources.sourceNames.length);
  const counts = resolveEpochCounts(sources.sourceNames, sizes, weights);
  const { drawn, perSource } = drawEpoch(
    sources.sourceIndex,
    counts.map((c) => c.count),
    spec.seed,
    epoch,
    sizes,
  );
  strategy.validateLengths(signedLengths, lengthsField);
  const mixture: EpochMixture = {
    rule: MIXTURE_RULE_ID,
    sources: sources.sourceNames.map((name, s) => ({
      name,
      samples: sizes[s]!,
      ...perSource[s]!,
      ...(counts[s]!.warning ? { warning: counts[s]!.warning } : {}),
    })),
  };
  if (strategy.planMultiset !== undefined) {
    validateEpoch(epoch);
    return { plan: strategy.planMultiset(signedLengths, drawn, spec, epoch), mixture };
  }
  const population = readWhole(drawn);
  // Population ids ascend, so gathering their lengths reads the index in order.
  const populationLengths = population.map((id) => signedLengths[id]!);
  const byPosition = planEpoch(strategy, populationLengths, spec, epoch, lengthsField);
  return { plan: toSampleIds(byPosition, population), mixture };
}

/** A plan over population positions, as a plan over sample ids (the plan's own array rewritten in place). */
function toSampleIds(plan: EpochPlan, population: Int32Array): EpochPlan {
  const sampleIds = plan.sampleIds;
  for (let i = 0; i < sampleIds.length; i++) sampleIds[i] = population[sampleIds[i]!]!;
  const droppedIds = Int32Array.from(plan.droppedIds, (position) => population[position]!).sort();
  return { ...plan, sampleIds, droppedIds };
}
