/**
 * Resolve the ~id marks of repeated samples in a step-major plan (training order: step, then
 * rank, then slot): the first occurrence of each repeated sample is the real one, later ones are
 * flagged as padding, so a resumed or audited run sees every sample for real before its repeats.
 * One sequential pass; only marked entries touch the (small) set.
 */
export function flagRepeatsInTrainingOrder(stepMajorIds: Int32Array): Uint8Array {
  const isPadding = new Uint8Array(stepMajorIds.length);
  const seen = new Set<number>();
  for (let p = 0; p < stepMajorIds.length; p++) {
    const marked = stepMajorIds[p]!;
    if (marked >= 0) continue;
    const id = ~marked;
    stepMajorIds[p] = id;
    if (seen.has(id)) isPadding[p] = 1;
    else seen.add(id);
  }
  return isPadding;
}
