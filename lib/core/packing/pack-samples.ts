import { InvalidInputError } from '../errors.js';
import type { Mt19937 } from '../rng/mt19937.js';
import { shufflePairsInto } from '../rng/shuffle.js';
import type { BalancedPackSpec } from './balanced-pack-spec.js';
import { BinCompletionPacker, type PackOutput } from './bin-completion-packer.js';
import { Float64List, Int32List } from './growable-lists.js';
import { sampleCost } from './pack-cost.js';
import { SizePool } from './size-pool.js';

/**
 * Share of a mega-batch left unpacked and carried into the next one (~1,000 of 65,536): by then
 * the pool has run out of exact complements, so its last packs would be the worst-filled and the
 * cheapest, the ones that made the cheap end of the step layout uneven (up to 50% at W = 8).
 */
const CARRY_FRACTION = 1 / 64;

/** Why a sample was left out (`rejectedReasons` holds the index into this list). */
export const PACK_REJECT_REASONS = ['tokens-over-budget', 'images-over-cap'] as const;
/** One of {@link PACK_REJECT_REASONS}. */
export type PackRejectReason = (typeof PACK_REJECT_REASONS)[number];

/** Samples grouped into packs (flat), plus the samples the over-length policy rejected. */
export interface SamplePacks {
  /** Sample ids of every pack, pack after pack. */
  readonly members: Int32Array;
  /** `packCount + 1` offsets into members. */
  readonly packStarts: Int32Array;
  /** Each pack's cost (pack-cost.ts, with the spec's linear weight). */
  readonly packCosts: Float64Array;
  /** Rejected sample ids, ascending. */
  readonly rejectedIds: Int32Array;
  /** Per rejected id, an index into {@link PACK_REJECT_REASONS}. */
  readonly rejectedReasons: Uint8Array;
}

/**
 * Pack every sample into packs of at most `maxTokens` tokens (and `maxImagesPerPack` images),
 * never splitting one. Steps:
 * 1. set aside samples over the budget or the cap: alone in a pack, or rejected with a reason;
 * 2. shuffle the others with the epoch's stream and cut them into mega-batches;
 * 3. pack each mega-batch by largest-first bin completion (BinCompletionPacker);
 * 4. append the over-limit samples' own packs.
 * Packs come out in mega-batch order; the step layout decides where each one trains.
 */
export function packSamples(totalTokens: Int32Array, numImages: ArrayLike<number> | null, spec: BalancedPackSpec, rng: Mt19937): SamplePacks {
  validateSamples(totalTokens, numImages);
  const cap = spec.maxImagesPerPack;
  const images = cap === null ? null : numImages;
  const split = splitByLimit(totalTokens, images, spec.maxTokens, cap ?? 0);
  const ownPacks = spec.overLength === 'own-pack' ? split.overIds : new Int32Array(0);
  const packable = split.fitIds.length;
  const sizes = new Int32Array(packable);
  for (let k = 0; k < packable; k++) sizes[k] = totalTokens[split.fitIds[k]!]!;
  const ids = new Int32Array(packable);
  const shuffledSizes = new Int32Array(packable);
  shufflePairsInto(split.fitIds, sizes, ids, shuffledSizes, 0, packable, rng);
  // The packs are written over the unshuffled ids' buffer (sized for every sample, and garbage
  // once shuffled): at 100M samples that is 400 MB not allocated and not faulted in again.
  const members = new Int32Array(split.fitIds.buffer, split.fitIds.byteOffset, packable + ownPacks.length);
  // Packs come out ~full: Σ tokens ÷ budget, plus a margin, is enough room for every pack list.
  const expectedPacks = Math.ceil((split.fitTokens / spec.maxTokens) * 1.02) + ownPacks.length + 1024;
  const out: PackOutput = { members, length: 0, packStarts: new Int32List(expectedPacks), packCosts: new Float64List(expectedPacks) };
  packMegaBatches(ids, shuffledSizes, spec, new BinCompletionPacker(spec.maxTokens, cap, images, spec.costLinearWeight), out);
  for (const id of ownPacks) {
    out.packStarts.push(out.length);
    out.packCosts.push(sampleCost(totalTokens[id]!, spec.costLinearWeight));
    out.members[out.length++] = id;
  }
  out.packStarts.push(out.length);
  const rejected = spec.overLength === 'reject';
  return {
    members,
    packStarts: out.packStarts.toArray(),
    packCosts: out.packCosts.toArray(),
    rejectedIds: rejected ? split.overIds : new Int32Array(0),
    rejectedReasons: rejected ? split.overReasons : new Uint8Array(0),
  };
}

/**
 * Pack consecutive mega-batches of the shuffled samples. A mega-batch is packed until only the
 * few samples a full pack can no longer be made from are left (the tail packs of a pool are its
 * worst); those join the next mega-batch, written just before it in the same arrays. The last
 * mega-batch packs everything.
 */
function packMegaBatches(ids: Int32Array, sizes: Int32Array, spec: BalancedPackSpec, packer: BinCompletionPacker, out: PackOutput): void {
  const batchSize = Math.min(spec.megaBatchSamples, Math.max(ids.length, 1));
  const carryLimit = Math.ceil(batchSize * CARRY_FRACTION);
  const pool = new SizePool(spec.maxTokens, batchSize + carryLimit);
  let carried = 0;
  for (let start = 0; start < ids.length; start += batchSize) {
    const end = Math.min(start + batchSize, ids.length);
    pool.fill(ids, sizes, start - carried, end);
    packer.packPool(pool, out, end === ids.length ? 0 : carryLimit);
    carried = pool.remaining;
    pool.drainInto(ids, sizes, end - carried);
  }
}

interface LimitSplit {
  readonly fitIds: Int32Array;
  /** Σ tokens of the samples that fit (sizes the pack lists up front). */
  readonly fitTokens: number;
  readonly overIds: Int32Array;
  readonly overReasons: Uint8Array;
}

/**
 * One pass: ids that fit, and ids over a limit with why (an index into PACK_REJECT_REASONS,
 * tokens first). Over-limit samples are few, so only their list grows; `images` null = no cap.
 */
function splitByLimit(totalTokens: Int32Array, images: ArrayLike<number> | null, maxTokens: number, cap: number): LimitSplit {
  const fitIds = new Int32Array(totalTokens.length);
  const overIds = new Int32List(16);
  const overReasons = new Int32List(16);
  let fit = 0;
  let fitTokens = 0;
  for (let id = 0; id < totalTokens.length; id++) {
    const tokens = totalTokens[id]!;
    const reason = tokens > maxTokens ? 0 : images !== null && images[id]! > cap ? 1 : -1;
    if (reason < 0) {
      fitIds[fit++] = id;
      fitTokens += tokens;
    } else {
      overIds.push(id);
      overReasons.push(reason);
    }
  }
  return { fitIds: fitIds.subarray(0, fit), fitTokens, overIds: overIds.toArray(), overReasons: Uint8Array.from(overReasons.toArray()) };
}

function validateSamples(totalTokens: Int32Array, numImages: ArrayLike<number> | null): void {
  for (let i = 0; i < totalTokens.length; i++) {
    if (!(totalTokens[i]! >= 1)) throw new InvalidInputError(`totalTokens[${i}]`, `is ${totalTokens[i]}; every sample has at least one token`);
  }
  if (numImages && numImages.length !== totalTokens.length) {
    throw new InvalidInputError('numImages', `has ${numImages.length} entries for ${totalTokens.length} samples; give one image count per sample`);
  }
}
