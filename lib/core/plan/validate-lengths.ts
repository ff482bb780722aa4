import { InvalidInputError } from '../errors.js';

/** What a strategy accepts as a length. */
export interface LengthRules {
  /** Negative lengths (text-only samples in the signed modality convention) are allowed. */
  readonly allowNegative: boolean;
}

/**
 * Reject an empty index, zero lengths and (where not allowed) negative lengths, naming the first
 * offending sample: a silently wrong plan is worse than no plan.
 */
export function validateLengths(lengths: Int32Array, rules: LengthRules, field = 'lengths'): void {
  validateNonEmpty(lengths, field);
  for (let i = 0; i < lengths.length; i++) {
    const value = lengths[i]!;
    if (value === 0) {
      throw new InvalidInputError(`${field}[${i}]`, 'is 0; every sample needs at least one token (drop or fix the record)');
    }
    if (value < 0 && !rules.allowNegative) {
      throw new InvalidInputError(
        `${field}[${i}]`,
        `is ${value}; this strategy needs positive lengths (use the "total" length column, or a modality-aware strategy)`,
      );
    }
  }
}

/** An index with no samples cannot be planned by any strategy. */
export function validateNonEmpty(lengths: Int32Array, field = 'lengths'): void {
  if (lengths.length === 0) {
    throw new InvalidInputError(field, 'the index has no samples; tokenize a non-empty corpus first');
  }
}

/**
 * Convert untrusted numbers (JSON, CLI) to an Int32Array, rejecting non-integers and values out of
 * the int32 range with the index of the first bad one.
 */
export function lengthsFromNumbers(values: readonly unknown[], field = 'lengths'): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
      throw new InvalidInputError(`${field}[${i}]`, `is ${JSON.stringify(value)}; lengths must be integers (32-bit)`);
    }
    out[i] = value;
  }
  return out;
}
