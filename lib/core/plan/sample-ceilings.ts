/**
 * The pipeline's limits in samples. Three states are single calls whose memory grows with the
 * sample count — MergeIndex (the whole length index, decoded and encoded), PlanShards (the index,
 * one epoch's plan and routing table at a time) and the audit reduce (the index's checked columns,
 * one epoch's digests, every epoch's sample ids) — so a corpus has a ceiling for a given Lambda
 * memory. The bytes per sample are each use-case's peak growth from an 80K- to a 320K-sample run
 * (RSS or ArrayBuffers, the larger), rounded up (docs/scale.md, "Limits"); Prepare refuses a corpus
 * whose estimated samples are above the lowest ceiling, before anything is paid for.
 */
import { InvalidInputError } from '../errors.js';

/**
 * Peak bytes per sample (plus per sample per epoch) of each single-call state, rounded up from the
 * measured 147 (MergeIndex), 178 (PlanShards), 201 at one epoch and ≈ 70 more per epoch (Audit).
 */
export const SINGLE_CALL_BYTES_PER_SAMPLE = {
  MergeIndex: { perSample: 200, perSampleEpoch: 0 },
  PlanShards: { perSample: 200, perSampleEpoch: 0 },
  Audit: { perSample: 140, perSampleEpoch: 70 },
} as const;

/** Lambda's largest memory (10,240 MB), of which 90 % is counted on for data (the runtime keeps the rest). */
export const LAMBDA_MAX_MEMORY_BYTES = 10_240 * 1024 * 1024;
const USABLE_FRACTION = 0.9;

/** The most samples each single-call state handles at `memoryBytes`, for a plan of `epochs` epochs. */
export function sampleCeilings(epochs: number, memoryBytes = LAMBDA_MAX_MEMORY_BYTES): Record<keyof typeof SINGLE_CALL_BYTES_PER_SAMPLE, number> {
  const usable = memoryBytes * USABLE_FRACTION;
  const ceiling = ({ perSample, perSampleEpoch }: { perSample: number; perSampleEpoch: number }) => Math.floor(usable / (perSample + perSampleEpoch * epochs));
  return {
    MergeIndex: ceiling(SINGLE_CALL_BYTES_PER_SAMPLE.MergeIndex),
    PlanShards: ceiling(SINGLE_CALL_BYTES_PER_SAMPLE.PlanShards),
    Audit: ceiling(SINGLE_CALL_BYTES_PER_SAMPLE.Audit),
  };
}

/** Refuse (InvalidInput naming the state and what to change) a corpus estimated above the lowest ceiling. */
export function checkSampleCeiling(estimatedSamples: number, epochs: number, where: string): void {
  const ceilings = sampleCeilings(epochs);
  const [state, limit] = Object.entries(ceilings).sort((a, b) => a[1] - b[1])[0]!;
  if (estimatedSamples <= limit) return;
  throw new InvalidInputError(
    where,
    `holds about ${estimatedSamples.toLocaleString('en-US')} records (estimated from each source's first bytes); ${state} is one call whose memory grows with the samples ` +
      `and handles at most ${limit.toLocaleString('en-US')} with ${epochs} epoch(s) in a 10 GB Lambda (docs/scale.md, "Limits"): split the corpus into datasets below that, or plan fewer epochs`,
  );
}
