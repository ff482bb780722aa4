import { z } from 'zod';

const TWO_POW_64 = 1n << 64n;

/**
 * A seed in [0, 2^64). JSON cannot carry integers above 2^53 exactly, so large seeds may be given
 * as decimal strings; a fractional or unsafe number is rejected rather than silently rounded.
 */
export const seedSchema = z.union([z.bigint(), z.number(), z.string()]).transform((value, ctx): bigint => {
  const fail = (why: string): never => {
    ctx.addIssue({ code: 'custom', message: `${why}; use an integer in [0, 2^64), as a decimal string if above 2^53` });
    return z.NEVER;
  };
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return fail(`seed ${value} is not an exact integer`);
  if (typeof value === 'string' && !/^\d{1,20}$/.test(value)) return fail(`seed "${value}" is not a decimal integer`);
  const seed = BigInt(value);
  if (seed < 0n || seed >= TWO_POW_64) return fail(`seed ${seed} is outside [0, 2^64)`);
  return seed;
});

/** How a seed is written back into JSON (manifests): a number when exact, else a decimal string. */
export function seedToJson(seed: bigint): number | string {
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed.toString();
}
