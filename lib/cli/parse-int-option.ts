import { InvalidArgumentError } from 'commander';

/** Commander parser for an integer flag ≥ `min`, accepting 10M / 1e7 / 10_000_000 style counts. */
export function intOption(flag: string, min = 1): (value: string) => number {
  return (value: string) => {
    const cleaned = value.replace(/_/g, '');
    const suffix = /^(\d+(?:\.\d+)?)([kKmMgG])$/.exec(cleaned);
    const scale = suffix ? { k: 1e3, m: 1e6, g: 1e9 }[suffix[2]!.toLowerCase() as 'k' | 'm' | 'g'] : 1;
    const parsed = suffix ? Number(suffix[1]) * scale : Number(cleaned);
    if (!Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min} (e.g. 10000000 or 10M), got "${value}"`);
    }
    return parsed;
  };
}
