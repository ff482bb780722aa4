import { z } from 'zod';

/**
 * What a packed shard states about its packs: in each packed shard file (`megashard.packing`,
 * canonical JSON) and in the shard manifests (`packing`), so a trainer and the audit know the
 * budget the packs were made for without the plan.
 */
export const shardPackingSchema = z
  .object({
    /** Token budget of a pack, image tokens included. */
    maxTokens: z.number().int().min(1),
    /** Cap on images per pack; null = no cap. */
    maxImagesPerPack: z.number().int().min(1).nullable(),
    /** "own-pack": a sample over the budget is a pack alone (the declared exception); "reject": it never appears. */
    overLength: z.enum(['own-pack', 'reject']),
    /** c of the per-sample cost L² + c·L the audit measures rank balance with (pack-cost.ts). */
    costLinearWeight: z.number().min(0),
  })
  .strict();

/** A packed shard's packing facts. */
export type ShardPacking = z.infer<typeof shardPackingSchema>;
