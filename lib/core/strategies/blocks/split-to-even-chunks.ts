import { LightestChunkHeap } from './lightest-chunk-heap.js';

/**
 * LLaVA's `split_to_even_chunks(indices, lengths, num_chunks)` on `ids[start, end)`, written to
 * `out[start, end)` as the concatenation of the chunks (chunk 0 first), which is how
 * `get_length_grouped_indices` flattens them.
 *
 * - If the segment does not divide evenly, chunk c is the stride `indices[c::num_chunks]`.
 * - Otherwise each id (already sorted by length, longest first) goes to the chunk with the smallest
 *   summed length so far (first such chunk on ties); a chunk stops taking ids once it holds
 *   len / num_chunks of them. `loadOf` is upstream's `lengths` (raw, so negative for text-only data).
 */
export function splitToEvenChunks(
  ids: Int32Array,
  start: number,
  end: number,
  loadOf: ArrayLike<number>,
  chunkCount: number,
  out: Int32Array,
  heap: LightestChunkHeap,
): void {
  const size = end - start;
  if (size % chunkCount !== 0) {
    let cursor = start;
    for (let c = 0; c < chunkCount; c++) {
      for (let p = start + c; p < end; p += chunkCount) out[cursor++] = ids[p]!;
    }
    return;
  }
  const perChunk = size / chunkCount;
  const filled = new Int32Array(chunkCount);
  heap.reset(chunkCount);
  for (let p = start; p < end; p++) {
    const id = ids[p]!;
    const chunk = heap.lightest();
    out[start + chunk * perChunk + filled[chunk]!] = id;
    filled[chunk]!++;
    heap.updateLightest(loadOf[id]!, filled[chunk] === perChunk);
  }
}
