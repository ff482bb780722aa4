/** Ranks per block of the transpose: enough to amortise, few enough to keep writes in cache/TLB. */
const RANK_BLOCK = 64;

/**
 * Reorder step-major entries (step t's block holds every rank's micro-batch, rank after rank) into
 * rank-major order (rank r's whole epoch, step after step). Planning writes step-major because a
 * step is built at once; writing it rank-major directly scatters into W far-apart pages per step.
 * Blocked over ranks, so each pass reads contiguous slices and writes a few dozen streams.
 */
export function stepMajorToRankMajor<T extends Int32Array | Uint8Array>(
  stepMajor: T,
  out: T,
  worldSize: number,
  microBatchSize: number,
): T {
  const stepSize = worldSize * microBatchSize;
  const steps = stepMajor.length / stepSize;
  const rankStride = steps * microBatchSize;
  for (let firstRank = 0; firstRank < worldSize; firstRank += RANK_BLOCK) {
    const lastRank = Math.min(firstRank + RANK_BLOCK, worldSize);
    for (let step = 0; step < steps; step++) {
      const from = step * stepSize;
      const to = step * microBatchSize;
      for (let r = firstRank; r < lastRank; r++) {
        const src = from + r * microBatchSize;
        const dst = r * rankStride + to;
        for (let s = 0; s < microBatchSize; s++) out[dst + s] = stepMajor[src + s]!;
      }
    }
  }
  return out;
}
