/** Upstream cap (HF transformers, XTuner): a mega-batch holds at most 50 groups. */
const MAX_MEGA_BATCH_MULT = 50;

/**
 * The HF/XTuner default `mega_batch_mult = min(n // (4 · groupSize), 50)`, raised to 1 for tiny
 * datasets ("or the number to get 4 megabatches, whichever is smaller"). `groupSize` is HF's
 * `batch_size` or XTuner's `per_device_batch_size · world_size`.
 */
export function defaultMegaBatchMult(sampleCount: number, groupSize: number): number {
  const mult = Math.min(Math.floor(sampleCount / (groupSize * 4)), MAX_MEGA_BATCH_MULT);
  return mult === 0 ? 1 : mult;
}
