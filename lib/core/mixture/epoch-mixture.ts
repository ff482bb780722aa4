import { z } from 'zod';

const count = z.number().int().min(0);

/** What a mixed epoch drew from each source, as its manifest states it (the audit checks against it). */
export const epochMixtureSchema = z
  .object({
    /** The drawing rule's versioned id (`mixture-rotation@1`). */
    rule: z.string().min(1),
    sources: z.array(
      z
        .object({
          name: z.string().min(1),
          /** Samples of the source in the index. */
          samples: count,
          /** Entries drawn this epoch (before any remainder policy). */
          drawn: count,
          /** Distinct samples among them. */
          distinct: count,
          /** Set when the weight rounds the source to zero entries this epoch. */
          warning: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** What a mixed epoch drew. */
export type EpochMixture = z.infer<typeof epochMixtureSchema>;
