/**
 * Resolve the ~id marks of repeated samples in a step-major plan (training order: step, then
 * rank, then slot): the first occurrence of each repeated sample is the real one, later ones are
 * padding, so a resumed or audited run sees every sample for real before its repeats. One
 * sequential pass; only marked entries touch the (small) set. Returns the padding positions.
 */
export function flagRepeatsInTrainingOrder(stepMajorIds: Int32Array): Int32Array {
  const padding: number[] = [];
  const seen = new Set<number>();
  for (let p = 0; p < stepMajorIds.length; p++) {
    const marked = stepMajorIds[p]!;
    if (marked >= 0) continue;
    const id = ~marked;
    stepMajorIds[p] = id;
    if (seen.has(id)) padding.push(p);
    else seen.add(id);
  }
  return Int32Array.from(padding);
}
