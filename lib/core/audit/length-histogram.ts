import { MODALITY_CODES } from '../index/length-index.js';
import type { RankShardColumns } from './rank-shard-columns.js';

/** Bins at most; the width is rounded up to 1, 2 or 5 × 10^k tokens so the axis reads well. */
export const MAX_HISTOGRAM_BINS = 40;

/** Modality names in code order (index = modality code). */
export const MODALITY_NAMES = Object.keys(MODALITY_CODES).sort(
  (a, b) => MODALITY_CODES[a as keyof typeof MODALITY_CODES] - MODALITY_CODES[b as keyof typeof MODALITY_CODES],
);

/** Samples per total_tokens bin, one count array per modality. Bin i covers [i·binWidth, (i+1)·binWidth). */
export interface LengthHistogram {
  readonly epoch: number;
  readonly binWidth: number;
  readonly bins: number;
  /** Modality name → counts per bin. */
  readonly counts: Record<string, number[]>;
  /** Rows with a modality code outside MODALITY_CODES (counted, not drawn). */
  readonly unknownModality: number;
}

/**
 * Histogram of the true sequence length (total_tokens) of every unflagged row of an epoch, by
 * modality: each sample once, as the shards carry it.
 */
export function lengthHistogram(epoch: number, ranks: readonly (RankShardColumns | null)[]): LengthHistogram {
  const present = ranks.filter((columns): columns is RankShardColumns => columns !== null);
  let maxTokens = 0;
  for (const { totalTokens, isPadding } of present) {
    for (let p = 0; p < totalTokens.length; p++) if (isPadding[p] === 0 && totalTokens[p]! > maxTokens) maxTokens = totalTokens[p]!;
  }
  const binWidth = niceWidth(maxTokens / MAX_HISTOGRAM_BINS);
  const bins = Math.floor(maxTokens / binWidth) + 1;
  // One flat array, modality-major: counts[code * bins + bin].
  const counts = new Float64Array(MODALITY_NAMES.length * bins);
  let unknownModality = 0;
  for (const { totalTokens, modality, isPadding } of present) {
    for (let p = 0; p < totalTokens.length; p++) {
      if (isPadding[p] !== 0) continue;
      const code = modality[p]!;
      if (code >= MODALITY_NAMES.length) unknownModality++;
      else counts[code * bins + Math.floor(Math.max(0, totalTokens[p]!) / binWidth)]!++;
    }
  }
  return {
    epoch,
    binWidth,
    bins,
    counts: Object.fromEntries(MODALITY_NAMES.map((name, code) => [name, Array.from(counts.subarray(code * bins, (code + 1) * bins))])),
    unknownModality,
  };
}

/** The smallest of 1, 2, 5 × 10^k that is ≥ raw (and ≥ 1). */
export function niceWidth(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}
