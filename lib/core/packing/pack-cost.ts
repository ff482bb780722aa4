/**
 * The compute cost model that balances ranks: a sample of L tokens costs `L² + c·L`.
 *
 * Why: with varlen attention (flash-attn `cu_seqlens`, or position-id boundaries) a pack's
 * samples attend only within themselves, so attention work is Σ L², not (Σ L)²; everything else
 * in a transformer layer (QKV/O projections, MLP) is per token. Per layer, causal attention costs
 * ~2·d·L² FLOPs and the dense parts ~24·d²·L, i.e. 2d·(L² + 12d·L): c = 12·d (default d = 4,096).
 * XTuner V1 balances on Σ round(L/128)² plus a weighted per-image term, which ignores the linear
 * part (it dominates below L ≈ 12·d) and rounds short samples to 0. Vision-tower work is not
 * modelled: the index gives images per sample, not their token split; image tokens count as LLM
 * tokens, which they are.
 */
export function sampleCost(tokens: number, linearWeight: number): number {
  return tokens * tokens + linearWeight * tokens;
}

/** Every pack's cost: the sum of its samples' costs (float64; exact for integer weights below 2^53). */
export function packCosts(members: Int32Array, packStarts: ArrayLike<number>, totalTokens: Int32Array, linearWeight: number): Float64Array {
  const count = packStarts.length - 1;
  const costs = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    let cost = 0;
    for (let j = packStarts[p]!; j < packStarts[p + 1]!; j++) cost += sampleCost(totalTokens[members[j]!]!, linearWeight);
    costs[p] = cost;
  }
  return costs;
}
