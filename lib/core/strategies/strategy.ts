import type { DrawnMultiset } from '../mixture/drawn-multiset.js';
import type { SourceWeight } from '../mixture/source-weights.js';
import type { z } from 'zod';
import type { LengthColumn } from '../spec/common-fields.js';
import type { EpochPlan } from '../plan/epoch-plan.js';

/** Fields every resolved spec has (see commonSpecFields). */
export interface CommonSpec {
  readonly strategy: string;
  readonly seed: bigint;
  readonly epochs: number;
  readonly worldSize: number;
  readonly perDeviceBatchSize: number;
  readonly gradientAccumulation: number;
  readonly lengthColumn?: LengthColumn | undefined;
  /** Per-source weights by source name; absent = every sample once per epoch. */
  readonly mixture?: Readonly<Record<string, SourceWeight>> | undefined;
}

/**
 * An ordering algorithm: a pure function of (signed lengths, spec, epoch). Its id carries a
 * version; changing what it outputs for any input means a new version, never a silent change.
 */
export interface Strategy<S extends CommonSpec = CommonSpec> {
  /** Versioned id, e.g. `xtuner-length-grouped@1`. */
  readonly id: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  /** Strict zod schema of this strategy's spec (common fields included). */
  readonly specSchema: z.ZodType<S, unknown>;
  /** Length-index column grouped by, unless the spec names another. */
  readonly defaultLengthColumn: LengthColumn;
  /**
   * Whether the strategy reads the modality sign (negative = text-only). Strategies that do not
   * are given |length| (HF sorts raw lengths; a negative one would sort as "shortest").
   */
  readonly usesModalitySign: boolean;
  /**
   * Throws InvalidInputError naming the offending sample (as `field[i]`, default `lengths[i]`) if
   * the lengths do not suit this strategy.
   */
  validateLengths(lengths: Int32Array, field?: string): void;
  /**
   * Plan one epoch for all ranks. `lengths[i]` is sample i's length, positive with image(s),
   * negative for text-only (|length| is the length).
   */
  planEpoch(lengths: Int32Array, spec: S, epoch: number): EpochPlan;
  /**
   * Optional fast path for a mixture: plan the drawn multiset (ascending sample ids, repeats
   * allowed) directly, reading it piece by piece. Must give exactly `planEpoch` over the drawn
   * population's lengths with each position mapped back to its id — without materialising that
   * population, gathering its lengths or remapping (measured: most of a mixture's cost).
   */
  planMultiset?(lengths: Int32Array, drawn: DrawnMultiset, spec: S, epoch: number): EpochPlan;
}
