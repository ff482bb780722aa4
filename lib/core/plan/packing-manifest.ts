import { z } from 'zod';
import { PACK_REJECT_REASONS } from '../packing/pack-samples.js';
import { sampleCost } from '../packing/pack-cost.js';
import type { PackedEpochPlan } from '../packing/packed-epoch-plan.js';
import { planPackingEfficiency } from '../packing/packed-plan-measures.js';
import { DEFAULT_COST_LINEAR_WEIGHT } from '../packing/balanced-pack-spec.js';
import type { PackingBlock } from '../spec/packing-spec.js';

const count = z.number().int().min(0);

/** What a packed epoch's manifest states about its packs (the audit checks the shards against it). */
export const epochPackingSchema = z
  .object({
    /** The packer's versioned id, and the id of what ordered the packs when it has its own. */
    strategy: z.string().min(1),
    order: z.string().min(1).optional(),
    maxTokens: z.number().int().min(1),
    maxImagesPerPack: z.number().int().min(1).nullable(),
    overLength: z.enum(['own-pack', 'reject']),
    /** Packs trained once, and repeats declared as padding (whole packs). */
    packs: count,
    paddingPacks: count,
    /** Σ tokens ÷ (maxTokens × packs), repeats left out: 1 = every pack exactly full. */
    efficiency: z.number().min(0),
    /** Per step, max ÷ mean − 1 of the ranks' costs Σ (L² + c·L): the mean and the worst step. */
    stepCostImbalance: z.object({ costLinearWeight: z.number().min(0), mean: z.number().min(0), max: z.number().min(0) }).strict(),
    /** Samples the over-length policy left out, by reason; the ids are the manifest's droppedIds. */
    rejected: z.object({ count, byReason: z.record(z.enum(PACK_REJECT_REASONS), count) }).strict(),
    /** Reason of each droppedIds entry, parallel to it. */
    rejectedReasons: z.array(z.enum(PACK_REJECT_REASONS)),
  })
  .strict();

/** A packed epoch's packing facts. */
export type EpochPacking = z.infer<typeof epochPackingSchema>;

/** The packing facts of a packed epoch: budget and policy from the block, efficiency and balance measured. */
export function describePackedEpoch(plan: PackedEpochPlan, block: PackingBlock, totalTokens: Int32Array, orderId?: string): EpochPacking {
  const costLinearWeight = (block as { costLinearWeight?: number }).costLinearWeight ?? DEFAULT_COST_LINEAR_WEIGHT;
  let packs = 0;
  let paddingPacks = 0;
  for (let p = 0; p + 1 < plan.packStarts.length; p++) {
    if (plan.packStarts[p] === plan.packStarts[p + 1]) continue;
    if (plan.isPadding[plan.packStarts[p]!]) paddingPacks++;
    else packs++;
  }
  const imbalance = stepImbalance(plan, totalTokens, costLinearWeight);
  const reasons = Array.from(plan.rejectedReasons, (r) => PACK_REJECT_REASONS[r]!);
  const byReason = Object.fromEntries(PACK_REJECT_REASONS.map((reason) => [reason, 0])) as Record<(typeof PACK_REJECT_REASONS)[number], number>;
  for (const reason of reasons) byReason[reason] += 1;
  return {
    strategy: plan.strategyId,
    ...(orderId ? { order: orderId } : {}),
    maxTokens: block.maxTokens,
    maxImagesPerPack: block.maxImagesPerPack,
    overLength: block.overLength,
    packs,
    paddingPacks,
    efficiency: planPackingEfficiency(plan, totalTokens),
    stepCostImbalance: { costLinearWeight, ...imbalance },
    rejected: { count: reasons.length, byReason },
    rejectedReasons: reasons,
  };
}

/** Mean and max over steps of max ÷ mean − 1 of the ranks' step costs (one pass over the rows). */
export function stepImbalance(plan: PackedEpochPlan, totalTokens: Int32Array, linearWeight: number): { mean: number; max: number } {
  const { worldSize: W, stepCount } = plan;
  if (stepCount === 0) return { mean: 0, max: 0 };
  const costs = new Float64Array(stepCount * W);
  for (let at = 0; at < W * stepCount; at++) {
    const r = Math.floor(at / stepCount);
    const s = at % stepCount;
    let cost = 0;
    for (let j = plan.stepStarts[at]!; j < plan.stepStarts[at + 1]!; j++) cost += sampleCost(totalTokens[plan.sampleIds[j]!]!, linearWeight);
    costs[s * W + r] = cost;
  }
  let sum = 0;
  let max = 0;
  for (let s = 0; s < stepCount; s++) {
    let top = 0;
    let total = 0;
    for (let r = 0; r < W; r++) {
      const cost = costs[s * W + r]!;
      total += cost;
      if (cost > top) top = cost;
    }
    const value = total === 0 ? 0 : top / (total / W) - 1;
    sum += value;
    if (value > max) max = value;
  }
  return { mean: sum / stepCount, max };
}
