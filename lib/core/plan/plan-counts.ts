import type { EpochPlan } from './epoch-plan.js';
import type { EpochManifest } from './manifest.js';
import type { PackedEpochPlan } from '../packing/packed-epoch-plan.js';

/** Counts of an epoch plan for its manifest: entries, distinct samples, padding, steps. */
export function countPlan(
  plan: EpochPlan,
  indexSamples: number,
  mixture?: { readonly sources: readonly { readonly distinct: number }[] },
): EpochManifest['counts'] {
  let paddingEntries = 0;
  for (let i = 0; i < plan.isPadding.length; i++) paddingEntries += plan.isPadding[i]!;
  let stepsPerRank = 0;
  let minStepsPerRank = Number.MAX_SAFE_INTEGER;
  for (let r = 0; r < plan.worldSize; r++) {
    const steps = Math.ceil((plan.rankStarts[r + 1]! - plan.rankStarts[r]!) / plan.microBatchSize);
    stepsPerRank = Math.max(stepsPerRank, steps);
    minStepsPerRank = Math.min(minStepsPerRank, steps);
  }
  return {
    indexSamples,
    plannedEntries: plan.sampleIds.length,
    // A mixed epoch repeats samples on purpose: its distinct samples are what the draw declared.
    distinctSamples: mixture ? mixture.sources.reduce((sum, source) => sum + source.distinct, 0) : plan.sampleIds.length - paddingEntries,
    paddingEntries,
    droppedSamples: plan.droppedIds.length,
    stepsPerRank,
    minStepsPerRank,
  };
}

/** The same counts for a packed plan: rows are entries, every rank runs `stepCount` steps, rejected ids are the dropped. */
export function countPackedPlan(
  plan: PackedEpochPlan,
  indexSamples: number,
  mixture?: { readonly sources: readonly { readonly distinct: number }[] },
): EpochManifest['counts'] {
  let paddingEntries = 0;
  for (let i = 0; i < plan.isPadding.length; i++) paddingEntries += plan.isPadding[i]!;
  return {
    indexSamples,
    plannedEntries: plan.sampleIds.length,
    distinctSamples: mixture ? mixture.sources.reduce((sum, source) => sum + source.distinct, 0) : plan.sampleIds.length - paddingEntries,
    paddingEntries,
    droppedSamples: plan.rejectedIds.length,
    stepsPerRank: plan.stepCount,
    minStepsPerRank: plan.stepCount,
  };
}
