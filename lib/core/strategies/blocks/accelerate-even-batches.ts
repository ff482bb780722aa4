import type { RankLayout } from './rank-layout.js';

/**
 * How Accelerate hands a single global order to W processes (`BatchSamplerShard._iter_with_no_split`
 * with split_batches=False, even_batches=True, drop_last=False): the order is cut into batches of
 * B (the last possibly short) and batch j goes to rank j mod W. Accelerate keeps the first W batches
 * as `initial_data` (doubled while shorter than W·B); when the last round is incomplete it tops up
 * the short batch from `initial_data[0:]` and fills the missing batches with the following slices,
 * until the batch index is a multiple of W. The completed stream is therefore the order followed by
 * `initial_data[0 : total − n]` with total = ceil(n / (W·B))·W·B — built here directly, the
 * appended entries flagged as padding. Rank r's micro-step s is batch s·W + r.
 */
export function dealEvenBatches(order: Int32Array, batchSize: number, worldSize: number): RankLayout {
  const n = order.length;
  const roundSize = batchSize * worldSize;
  const total = Math.ceil(n / roundSize) * roundSize;
  // initial_data = the first W batches; doubling it = cycling over its min(W·B, n) entries.
  const initialLength = Math.min(roundSize, n);
  const perRank = total / worldSize;
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  const rankStarts = new Float64Array(worldSize + 1);
  for (let r = 0; r < worldSize; r++) {
    rankStarts[r + 1] = (r + 1) * perRank;
    let out = r * perRank;
    for (let batch = r; batch * batchSize < total; batch += worldSize) {
      for (let k = batch * batchSize; k < (batch + 1) * batchSize; k++) {
        const padding = k >= n;
        sampleIds[out] = padding ? order[(k - n) % initialLength]! : order[k]!;
        isPadding[out] = padding ? 1 : 0;
        out++;
      }
    }
  }
  return { sampleIds, rankStarts, isPadding };
}
