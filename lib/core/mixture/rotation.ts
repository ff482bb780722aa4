import { Mt19937 } from '../rng/mt19937.js';
import { uniformBelow } from '../rng/shuffle.js';

/** Domain-separation word of the mixture's rotations ("mix1"). */
const MIXTURE_TAG = 0x6d697831;

/**
 * A source's rotation: the seeded order in which its samples take turns at an epoch's extra
 * draws. Sample i (in source order) sits at position (stride·i + offset) mod n: a seeded Weyl
 * sequence, so a window of consecutive positions picks samples spread evenly over the source (a
 * stratified, low-discrepancy draw), and the n positions are all distinct (gcd(stride, n) = 1).
 * One pass in source order costs an add and a compare per sample — no shuffle of n entries, no
 * random access — which keeps drawing a 100M-sample epoch a small part of planning it.
 */
export interface Rotation {
  readonly size: number;
  readonly stride: number;
  readonly offset: number;
}

/** The rotation of source `source` of size n for a run seed (the same every epoch). */
export function sourceRotation(size: number, seed: bigint, source: number): Rotation {
  const rng = Mt19937.fromKey(Uint32Array.of(Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn), source >>> 0, MIXTURE_TAG));
  if (size <= 1) return { size, stride: 1, offset: 0 };
  // A stride in the middle of (0, n): far from 0 and n, so neighbours in the source land far apart.
  let stride = Math.floor(size / 4) + uniformBelow(rng, Math.max(1, Math.floor(size / 2)));
  while (gcd(stride, size) !== 1) stride++;
  return { size, stride: stride % size, offset: uniformBelow(rng, size) };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
