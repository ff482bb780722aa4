import type { Mt19937 } from './mt19937.js';

/** Above this n, torch ≥ 2.7 switches randperm to a different (random64, inside-out) algorithm. */
export const TORCH_RANDPERM_SMALL_N_LIMIT = 214_748_364;

/**
 * `torch.randperm(n, generator=g)` on CPU, bit for bit, for n < 214,748,364: a Fisher–Yates pass
 * that swaps r[i] with r[i + u32 % (n − i)] for i = 0..n−2, consuming exactly max(n − 1, 0) draws.
 * (torch's `randperm_cpu`; identical from torch 1.x through 2.x in this range.)
 */
export function torchRandperm(n: number, rng: Mt19937): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm size ${n} must be a non-negative integer`);
  if (n >= TORCH_RANDPERM_SMALL_N_LIMIT) {
    throw new RangeError(`randperm(${n}): torch changed its algorithm for n ≥ ${TORCH_RANDPERM_SMALL_N_LIMIT} in 2.7; parity is not defined there`);
  }
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (rng.nextUint32() % (n - i));
    const tmp = r[i]!;
    r[i] = r[z]!;
    r[z] = tmp;
  }
  return r;
}
