/**
 * A step-by-step port of Accelerate's batch sharding loop, kept apart from the code under test so
 * the closed form in lib/core/strategies/blocks/accelerate-even-batches.ts is checked against it.
 */
/** Accelerate's `BatchSamplerShard._iter_with_no_split` (even_batches=True), step by step, for one process. */
export function accelerateReference(order: number[], batchSize: number, worldSize: number, rank: number): number[] {
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  const out: number[] = [];
  let initial: number[] = [];
  let toYield: number[] = [];
  let idx = 0;
  let batch: number[] = [];
  for ([idx, batch] of batches.entries()) {
    if (idx < worldSize) initial = initial.concat(batch);
    if (idx % worldSize === rank) toYield = batch;
    if (idx % worldSize === worldSize - 1 && batch.length === batchSize) {
      out.push(...toYield);
      toYield = [];
    }
  }
  if (toYield.length === batchSize) out.push(...toYield);
  while (initial.length < worldSize * batchSize) initial = initial.concat(initial);
  if (batch.length === batchSize) {
    batch = [];
    idx += 1;
  }
  let cycle = 0;
  while (idx % worldSize !== 0 || batch.length > 0) {
    const end = cycle + batchSize - batch.length;
    batch = batch.concat(initial.slice(cycle, end));
    if (idx % worldSize === rank) out.push(...batch);
    cycle = end;
    batch = [];
    idx += 1;
  }
  return out;
}
