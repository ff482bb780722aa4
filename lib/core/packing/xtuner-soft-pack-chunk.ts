import { numpyArgsortInto } from './numpy-argsort.js';
import type { PackListBuilder } from './pack-list.js';

/** One dataset's per-sample inputs, indexed by local sample index. */
export interface SoftPackSamples {
  readonly numTokens: Int32Array;
  readonly proxyFlops: Float64Array;
}

/** The packing limits of `get_pack_chunk_infos`. */
export interface SoftChunkLimits {
  readonly packMaxLength: number;
  readonly extraBufferSize: number;
}

/**
 * XTuner V1's `get_pack_chunk_infos` over one chunk of shuffled indices, appending its packs to
 * `out`. `chunk` is consumed (it is the mutable list XTuner pops from). Steps:
 * 1. pop from the end; a sample that fits the open pack joins it;
 * 2. one that does not closes the open pack (topped up from the extra buffer unless it is exactly
 *    full) and opens the next pack alone, which is how an over-length sample ends up a singleton;
 * 3. the pack left open when the list runs out closes without a top-up.
 * A pack's `longest` is its float64 flops sum in member order, truncated toward zero.
 */
export function packSoftChunk(chunk: Int32Array, samples: SoftPackSamples, limits: SoftChunkLimits, datasetId: number, out: PackListBuilder): void {
  const { numTokens, proxyFlops } = samples;
  const scratch = new TopUpScratch(Math.min(limits.extraBufferSize, chunk.length));
  let length = chunk.length;
  let total = 0;
  let flops = 0;
  while (length > 0) {
    const sample = chunk[--length]!;
    const tokens = numTokens[sample]!;
    if (tokens + total <= limits.packMaxLength) {
      out.push(sample);
      total += tokens;
      flops += proxyFlops[sample]!;
      continue;
    }
    if (out.hasOpenPack) {
      if (total !== limits.packMaxLength && limits.extraBufferSize > 0) {
        const gap = limits.packMaxLength - total;
        scratch.packFlops = flops;
        length -= topUpFromBuffer(chunk, length, Math.min(limits.extraBufferSize, length), gap, samples, scratch, out);
        flops = scratch.packFlops;
      }
      out.closePack(truncateFlops(flops), datasetId);
    }
    out.push(sample);
    total = tokens;
    flops = proxyFlops[sample]!;
  }
  if (out.hasOpenPack) out.closePack(truncateFlops(flops), datasetId);
}

/** Reused arrays for the buffer's token counts and their argsort, and the open pack's flops. */
class TopUpScratch {
  packFlops = 0;
  readonly values: Int32Array;
  readonly order: Int32Array;
  readonly taken: Uint8Array;
  constructor(capacity: number) {
    this.values = new Int32Array(capacity);
    this.order = new Int32Array(capacity);
    this.taken = new Uint8Array(capacity);
  }
}

/**
 * `closest_sum_indices` on the last `bufferSize` entries of the list (the next ones to be taken):
 * walk them in numpy argsort order of their token counts, taking each while the running sum is
 * ≤ gap and stopping once it is ≥ gap. Taken samples join the pack in that walk order and leave
 * the list; the rest keep their order. Returns how many were taken; adds their flops one by one
 * to `scratch.packFlops` (float64 addition is not associative: the order must be XTuner's).
 */
function topUpFromBuffer(
  chunk: Int32Array,
  length: number,
  bufferSize: number,
  gap: number,
  samples: SoftPackSamples,
  scratch: TopUpScratch,
  out: PackListBuilder,
): number {
  const bufferStart = length - bufferSize;
  const { values, order, taken: isTaken } = scratch;
  for (let k = 0; k < bufferSize; k++) values[k] = samples.numTokens[chunk[bufferStart + k]!]!;
  numpyArgsortInto(values, order, bufferSize);
  let sum = 0;
  let taken = 0;
  let flops = scratch.packFlops;
  for (let k = 0; k < bufferSize; k++) {
    const position = order[k]!;
    sum += values[position]!;
    if (sum <= gap) {
      const sample = chunk[bufferStart + position]!;
      out.push(sample);
      flops += samples.proxyFlops[sample]!;
      isTaken[position] = 1;
      taken++;
    }
    if (sum >= gap) break;
  }
  if (taken > 0) removeTaken(chunk, bufferStart, bufferSize, isTaken);
  scratch.packFlops = flops;
  return taken;
}

/** Drop the flagged buffer entries from the list, keeping the others' order; clears the flags. */
function removeTaken(chunk: Int32Array, bufferStart: number, bufferSize: number, isTaken: Uint8Array): void {
  let write = bufferStart;
  for (let k = 0; k < bufferSize; k++) {
    if (isTaken[k]) isTaken[k] = 0;
    else chunk[write++] = chunk[bufferStart + k]!;
  }
}

/** Python's `int(float)` (toward zero), with −0 written as 0. */
function truncateFlops(flops: number): number {
  return Math.trunc(flops) + 0;
}
