/** Ranks per block of the transpose: enough to amortise, few enough to keep writes in cache/TLB. */
const RANK_BLOCK = 64;

/**
 * Reorder step-major entries (step t's block holds every rank's micro-batch, rank after rank) into
 * rank-major order (rank r's whole epoch, step after step). Planning writes step-major because a
 * step is built at once; writing it rank-major directly scatters into W far-apart pages per step.
 * Blocked over ranks, so each pass reads contiguous slices and writes a few dozen streams.
 */
export function stepMajorToRankMajor(stepMajor: Int32Array, out: Int32Array, worldSize: number, microBatchSize: number): Int32Array {
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

/**
 * Rank-major padding flags from the (few) step-major positions that are padding: the same
 * position mapping as {@link stepMajorToRankMajor}, without transposing a whole byte array.
 */
export function rankMajorFlags(stepMajorPositions: Int32Array, length: number, worldSize: number, microBatchSize: number): Uint8Array {
  const flags = new Uint8Array(length);
  const stepSize = worldSize * microBatchSize;
  const rankStride = length / worldSize;
  for (const position of stepMajorPositions) {
    const step = Math.floor(position / stepSize);
    const within = position - step * stepSize;
    const rank = Math.floor(within / microBatchSize);
    flags[rank * rankStride + step * microBatchSize + (within - rank * microBatchSize)] = 1;
  }
  return flags;
}
