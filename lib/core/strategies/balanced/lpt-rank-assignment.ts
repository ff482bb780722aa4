const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

/**
 * Deals one micro-step's samples (sorted longest first) to ranks so token totals come out even,
 * greedily, like LLaVA's `split_to_even_chunks` but on true token cost: in round k (k < B) the
 * next W samples, longest first, go to the ranks in increasing order of load so far (ties: lower
 * rank first). One sample per rank per round gives every rank exactly B samples, and a round
 * costs one native sort of W numbers instead of W heap operations.
 */
export class LptRankAssigner {
  private readonly loads: Float64Array;
  /**
   * load · W + rank: one exact number per rank, so a native numeric sort orders (load, rank).
   * 32-bit keys when every possible key fits (the usual case; a third faster to sort), else doubles.
   */
  private readonly keys: Uint32Array | Float64Array;
  private readonly order: Int32Array;

  /** `maxMagnitude` bounds every |length|; it decides whether the packed keys stay exact. */
  constructor(
    private readonly worldSize: number,
    private readonly microBatchSize: number,
    maxMagnitude: number,
  ) {
    this.loads = new Float64Array(worldSize);
    this.order = new Int32Array(worldSize);
    const keyLimit = (microBatchSize * maxMagnitude + 1) * worldSize;
    if (keyLimit >= TWO_POW_53) {
      throw new RangeError(`worldSize × perDeviceBatchSize × max length ≥ 2^53: token loads cannot be ordered exactly`);
    }
    this.keys = keyLimit <= TWO_POW_32 ? new Uint32Array(worldSize) : new Float64Array(worldSize);
  }

  /**
   * Assign `sorted[start, start + W·B)` (|lengths| in `magnitudes`) to one step: rank r's slot s
   * gets `out[offset + r·B + s]` (step-major; a blocked transpose makes it rank-major later).
   */
  assignStep(sorted: Int32Array, magnitudes: Int32Array, start: number, out: Int32Array, offset: number): void {
    const { worldSize, microBatchSize, loads, order } = this;
    loads.fill(0);
    for (let round = 0; round < microBatchSize; round++) {
      this.rankOrderByLoad(round);
      const roundStart = start + round * worldSize;
      for (let k = 0; k < worldSize; k++) {
        const rank = order[k]!;
        out[offset + rank * microBatchSize + round] = sorted[roundStart + k]!;
        loads[rank]! += magnitudes[roundStart + k]!;
      }
    }
  }

  /**
   * Fill `order` with ranks by increasing (load, rank). Round 0: all loads are 0. Round 1: loads
   * are the first round's samples, non-increasing by rank, so the order is known without sorting.
   */
  private rankOrderByLoad(round: number): void {
    const { worldSize, loads, keys, order } = this;
    if (round === 0) {
      for (let r = 0; r < worldSize; r++) order[r] = r;
      return;
    }
    if (round === 1) return this.reverseRanksKeepingTies();
    for (let r = 0; r < worldSize; r++) keys[r] = loads[r]! * worldSize + r;
    keys.sort();
    for (let k = 0; k < worldSize; k++) {
      const key = keys[k]!;
      order[k] = key - Math.floor(key / worldSize) * worldSize;
    }
  }

  /** Ranks from last to first, but each run of equal loads in ascending rank order. */
  private reverseRanksKeepingTies(): void {
    const { worldSize, loads, order } = this;
    let k = 0;
    for (let r = worldSize - 1; r >= 0; r--) {
      const runEnd = r;
      while (r > 0 && loads[r - 1] === loads[runEnd]) r--;
      for (let q = r; q <= runEnd; q++) order[k++] = q;
    }
  }
}
