import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/**
 * How often a source is used per epoch, in the form people think in — at most one per source:
 * - `repeat`: a real factor (2.5 = every sample twice, plus a seeded half of them once more;
 *   0.3 = a seeded 30%, rotating so the whole source is seen over ⌈1/0.3⌉ epochs);
 * - `samples`: an absolute count per epoch;
 * - `proportion`: a share of the epoch's total, in (0, 1).
 * No field keeps today's behaviour: every sample exactly once.
 */
export const sourceWeightFields = {
  repeat: z.number().finite({ error: 'must be a finite number' }).min(0, { error: 'must be ≥ 0' }).optional(),
  samples: z.number().int({ error: 'must be an integer' }).min(0, { error: 'must be ≥ 0' }).optional(),
  proportion: z
    .number()
    .finite({ error: 'must be a finite number' })
    .gt(0, { error: 'must be > 0' })
    .lt(1, { error: 'must be < 1 (use repeat for more)' })
    .optional(),
};

/** One source's weight, as validated from dataset.json or a shard spec's `mixture`. */
export const sourceWeightSchema = z
  .object(sourceWeightFields)
  .strict()
  .superRefine((weight, ctx) => {
    const given = WEIGHT_FORMS.filter((form) => weight[form] !== undefined);
    if (given.length > 1)
      ctx.addIssue({ code: 'custom', path: [given[1]!], message: `give one of ${WEIGHT_FORMS.join(', ')}; this source has ${given.join(' and ')}` });
  });

/** A source's weight. */
export type SourceWeight = z.infer<typeof sourceWeightSchema>;

/** The forms, in the order errors name them. */
export const WEIGHT_FORMS = ['repeat', 'samples', 'proportion'] as const;

/** Whether a weight asks for anything but "every sample once". */
export function isUnweighted(weight: SourceWeight | undefined): boolean {
  return weight === undefined || WEIGHT_FORMS.every((form) => weight[form] === undefined) || weight.repeat === 1;
}

/** A source's draw for an epoch: how many entries, and a warning when that rounds to zero. */
export interface EpochCount {
  readonly count: number;
  readonly warning?: string;
}

/**
 * Per-source entry counts of an epoch. `repeat` and `samples` fix a source's count; `proportion`
 * sources share what makes them their fraction of the total: T = fixed / (1 − Σ p), each p·T; when
 * every source is a proportion they must sum to 1 and share the corpus's size. Counts round half
 * up. Errors name the source and field.
 */
export function resolveEpochCounts(sourceNames: readonly string[], sizes: readonly number[], weights: readonly (SourceWeight | undefined)[]): EpochCount[] {
  const fixed = sizes.map((size, s) => fixedCount(size, weights[s]));
  const proportional = weights.map((weight) => weight?.proportion);
  const shareSum = proportional.reduce<number>((sum, p) => sum + (p ?? 0), 0);
  const fixedSum = fixed.reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const total =
    shareSum === 0
      ? fixedSum
      : totalWithShares(
          sourceNames,
          sizes,
          proportional,
          shareSum,
          fixedSum,
          fixed.some((count) => count !== undefined),
        );
  return sizes.map((size, s) => {
    const count = fixed[s] ?? Math.round(proportional[s]! * total);
    const asked = !isUnweighted(weights[s]);
    return count === 0 && size > 0 && asked ? { count, warning: `source "${sourceNames[s]}": its weight rounds to 0 samples this epoch` } : { count };
  });
}

/** Sums of shares within this of 1 count as 1 (0.1 + 0.2 + 0.7 is 1.0000000000000002 in doubles). */
const SHARE_TOLERANCE = 1e-9;

function fixedCount(size: number, weight: SourceWeight | undefined): number | undefined {
  if (weight?.proportion !== undefined) return undefined;
  if (weight?.samples !== undefined) return weight.samples;
  return Math.round((weight?.repeat ?? 1) * size);
}

function totalWithShares(
  sourceNames: readonly string[],
  sizes: readonly number[],
  proportional: readonly (number | undefined)[],
  shareSum: number,
  fixedSum: number,
  othersExist: boolean,
): number {
  checkShares(sourceNames, proportional, shareSum, othersExist, mixtureField(sourceNames));
  return othersExist ? fixedSum / (1 - shareSum) : sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Refuse weights no epoch can satisfy, before any data is read (Prepare calls this): proportions
 * summing to 1 or more beside sources given by repeat or samples (or none), or every source a
 * proportion without summing to 1. The error names the first proportional source's field.
 */
export function validateSourceWeights(
  sourceNames: readonly string[],
  weights: readonly (SourceWeight | undefined)[],
  fieldOf: FieldOf = mixtureField(sourceNames),
): void {
  const proportional = weights.map((weight) => weight?.proportion);
  const shareSum = proportional.reduce<number>((sum, p) => sum + (p ?? 0), 0);
  if (shareSum > 0)
    checkShares(
      sourceNames,
      proportional,
      shareSum,
      weights.some((weight) => weight?.proportion === undefined),
      fieldOf,
    );
}

/** Names the field of source s's weight form in errors. */
export type FieldOf = (source: number, form: string) => string;

/** Fields as a plan spec's mixture names them: `mixture["<source>"].proportion`. */
function mixtureField(sourceNames: readonly string[]): FieldOf {
  return (source, form) => `mixture["${sourceNames[source]}"].${form}`;
}

function checkShares(
  sourceNames: readonly string[],
  proportional: readonly (number | undefined)[],
  shareSum: number,
  othersExist: boolean,
  fieldOf: FieldOf,
): void {
  const field = fieldOf(
    proportional.findIndex((p) => p !== undefined),
    'proportion',
  );
  const named = sourceNames
    .filter((_, s) => proportional[s] !== undefined)
    .map((name) => `"${name}"`)
    .join(', ');
  const sumsToOne = Math.abs(shareSum - 1) <= SHARE_TOLERANCE;
  if (othersExist && (sumsToOne || shareSum > 1)) {
    throw new InvalidInputError(
      field,
      `the proportions of ${named} sum to ${shareSum}: with other sources given by repeat or samples they must sum below 1, so those keep a share`,
    );
  }
  if (!othersExist && !sumsToOne)
    throw new InvalidInputError(field, `the proportions of ${named} sum to ${shareSum}; when every source is a proportion they must sum to 1`);
}

/**
 * A mixture keyed by source name (the index's source names: the dataset's source paths) as a
 * weight per source index. A name the index does not have is an error naming it and the choices.
 */
export function sourceWeightsByIndex(sourceNames: readonly string[], mixture: Readonly<Record<string, SourceWeight>>): (SourceWeight | undefined)[] {
  for (const name of Object.keys(mixture)) {
    if (!sourceNames.includes(name))
      throw new InvalidInputError(`mixture["${name}"]`, `is not a source of the index; its sources are ${sourceNames.map((n) => `"${n}"`).join(', ')}`);
  }
  return sourceNames.map((name) => mixture[name]);
}
