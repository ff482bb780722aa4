import { offsetsFromCounts } from '../../plan/epoch-plan.js';
import type { PaddedOrder } from './cyclic-pad.js';
import type { RankLayout } from './rank-layout.js';

/**
 * The torch-style rank split `indices[rank : total : world_size]` for every rank: rank r takes
 * global positions r, r + W, r + 2W, … Ranks get ceil((total − r) / W) entries, so they differ in
 * count only when total is not a multiple of W (XTuner with round_up=False).
 */
export function strideToRanks(order: PaddedOrder, worldSize: number): RankLayout {
  const total = order.ids.length;
  const counts = new Float64Array(worldSize);
  for (let r = 0; r < worldSize; r++) counts[r] = r < total ? Math.ceil((total - r) / worldSize) : 0;
  const rankStarts = offsetsFromCounts(counts);
  const sampleIds = new Int32Array(total);
  const isPadding = new Uint8Array(total);
  for (let r = 0; r < worldSize; r++) {
    let out = rankStarts[r]!;
    for (let p = r; p < total; p += worldSize) {
      sampleIds[out] = order.ids[p]!;
      isPadding[out] = order.isPadding[p]!;
      out++;
    }
  }
  return { sampleIds, rankStarts, isPadding };
}
