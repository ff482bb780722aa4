import { planEpoch } from '../plan/plan-epoch.js';
import type { EpochPlan } from '../plan/epoch-plan.js';
import type { CommonSpec, Strategy } from '../strategies/strategy.js';
import { drawEpochMultiset, MIXTURE_RULE_ID } from './draw-epoch-multiset.js';
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
 * and map the plan back to sample ids. Without a mixture this is `planEpoch`, byte for byte.
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
  const { population, perSource } = drawEpochMultiset(
    sources.sourceIndex,
    counts.map((c) => c.count),
    spec.seed,
    epoch,
  );
  const populationLengths = new Int32Array(population.length);
  for (let i = 0; i < population.length; i++) populationLengths[i] = signedLengths[population[i]!]!;
  strategy.validateLengths(signedLengths, lengthsField);
  const byPosition = planEpoch(strategy, populationLengths, spec, epoch, lengthsField);
  const mixture: EpochMixture = {
    rule: MIXTURE_RULE_ID,
    sources: sources.sourceNames.map((name, s) => ({
      name,
      samples: sizes[s]!,
      ...perSource[s]!,
      ...(counts[s]!.warning ? { warning: counts[s]!.warning } : {}),
    })),
  };
  return { plan: toSampleIds(byPosition, population), mixture };
}

/** A plan over population positions, as a plan over sample ids. */
function toSampleIds(plan: EpochPlan, population: Int32Array): EpochPlan {
  const sampleIds = new Int32Array(plan.sampleIds.length);
  for (let i = 0; i < sampleIds.length; i++) sampleIds[i] = population[plan.sampleIds[i]!]!;
  const droppedIds = Int32Array.from(plan.droppedIds, (position) => population[position]!).sort();
  return { ...plan, sampleIds, droppedIds };
}

function sourceSizes(sourceIndex: Int32Array, sources: number): number[] {
  const sizes = new Array<number>(sources).fill(0);
  for (let id = 0; id < sourceIndex.length; id++) sizes[sourceIndex[id]!]! += 1;
  return sizes;
}
