import { Mt19937 } from '../../rng/mt19937.js';

const TWO_POW_64 = 1n << 64n;

/**
 * The fresh generator the torch-style samplers build each epoch (`g = torch.Generator();
 * g.manual_seed(seed + epoch)`). Python adds without overflow, torch then keeps the low 32 bits; we
 * wrap the sum modulo 2^64 first so any seed in [0, 2^64) is accepted (the low 32 bits agree).
 */
export function epochGenerator(seed: bigint, epoch: number): Mt19937 {
  return Mt19937.fromTorchSeed((seed + BigInt(epoch)) % TWO_POW_64);
}
