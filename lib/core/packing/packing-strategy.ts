import type { z } from 'zod';
import type { CommonSpec } from '../strategies/strategy.js';
import type { PackingBlock } from '../spec/packing-spec.js';
import type { PackedEpochPlan } from './packed-epoch-plan.js';

/** A resolved packed shard spec: the common fields, one pack per rank per step, and the packing block. */
export interface PackedSpec extends CommonSpec {
  readonly packing: PackingBlock;
}

/** What a packer reads of the length index, by sample id. */
export interface PackingInput {
  /** Text + image tokens of every sample (the index's total_tokens), each ≥ 1. */
  readonly totalTokens: Int32Array;
  /** Images of every sample (for the image cap). */
  readonly numImages: ArrayLike<number>;
}

/**
 * A packing strategy: a pure function of (token counts, image counts, spec, epoch) to a
 * {@link PackedEpochPlan}, registered by versioned id like the ordering strategies.
 */
export interface PackingStrategy<S extends PackedSpec = PackedSpec> {
  /** Versioned id written into every output, e.g. `balanced-pack@1`. */
  readonly id: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  /** Versioned id of the element that orders the packs into steps, when it has its own (XTuner's sampler). */
  readonly orderId?: string;
  /** Strict zod schema of the whole packed shard spec (common fields + this packer's block). */
  readonly specSchema: z.ZodType<S, unknown>;
  /** Plan one epoch of packs for every rank. */
  planPackedEpoch(input: PackingInput, spec: S, epoch: number): PackedEpochPlan;
}
