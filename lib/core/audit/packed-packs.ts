/**
 * The pack-level checks and figures of a packed epoch, re-derived from the shards' rows: each
 * rank's pack boundaries (the `pack` column), every row's total_tokens and, from the index, its
 * images. Packs are walked as row ranges of typed arrays; nothing per pack is kept but the figures.
 */
import { sampleCost } from '../packing/pack-cost.js';
import type { ShardPacking } from '../shards/shard-packing.js';
import { FindingList } from './finding.js';
import type { EpochShards, RankShardColumns } from './rank-shard-columns.js';

/** Fill histogram: bins of this width over [0, 1], then one bin for packs over the budget. */
export const FILL_BIN_WIDTH = 0.05;
const FILL_BINS = Math.round(1 / FILL_BIN_WIDTH);

/** What the packs of one epoch showed. */
export interface EpochPackAudit {
  /** Packs tile every step: none empty, none straddling a step, every packed rank has its boundaries. */
  readonly structure: FindingList;
  /** No pack over the budget, except a lone over-length sample under policy own-pack. */
  readonly budget: FindingList;
  /** No pack over the image cap (same exception); null without a cap or without image counts. */
  readonly imageCap: FindingList | null;
  readonly figures: PackFigures;
}

/** The epoch's packing figures (unrounded; the report rounds). */
export interface PackFigures {
  /** Packs that are not declared padding. */
  readonly packs: number;
  /** Σ tokens ÷ (maxTokens × packs), padding packs left out: 1 = every pack exactly full. */
  readonly efficiency: number;
  /** Packs over the budget under the declared own-pack exception. */
  readonly ownPackOverBudget: number;
  /** Mean over steps of (dearest rank's attention cost ÷ mean rank's − 1), cost L² + c·L per sample. */
  readonly meanStepCostImbalance: number;
  readonly worstStepCost: { readonly step: number; readonly imbalance: number; readonly busiestRank: number };
  /** Packs by fill (tokens ÷ maxTokens): FILL_BINS bins of FILL_BIN_WIDTH, then the over-budget bin. */
  readonly fillCounts: number[];
}

/** Audit the packs of one epoch. `numImages` (by sample id, from the index) enables the image-cap check. */
export function auditEpochPacks(shards: EpochShards, packing: ShardPacking, numImages?: ArrayLike<number>): EpochPackAudit {
  const structure = new FindingList();
  const budget = new FindingList();
  const imageCap = packing.maxImagesPerPack !== null && numImages !== undefined ? new FindingList() : null;
  const fillCounts = new Array<number>(FILL_BINS + 1).fill(0);
  const totals = { tokens: 0, packs: 0, ownPack: 0 };
  shards.ranks.forEach((columns, rank) => {
    if (columns === null) return;
    if (columns.packStarts === undefined) {
      structure.add(shards.epoch, rank, null, 'the shard has no pack column: it is not a packed shard, but the run is packed');
      return;
    }
    if (!packsTileSteps(columns, shards.epoch, rank, structure)) return;
    walkPacks(columns, (start, end, step, pack) => {
      const place = `pack ${pack} (rows ${start}–${end - 1}, samples ${describeIds(columns.sampleIds, start, end)})`;
      let tokens = 0;
      let images = 0;
      for (let p = start; p < end; p++) {
        tokens += columns.totalTokens[p]!;
        if (numImages !== undefined) images += numImages[columns.sampleIds[p]!] ?? 0;
      }
      const alone = end - start === 1;
      if (tokens > packing.maxTokens) {
        if (alone && packing.overLength === 'own-pack') totals.ownPack++;
        else
          budget.add(
            shards.epoch,
            rank,
            step,
            `${place} holds ${tokens} tokens; the budget is ${packing.maxTokens}${alone ? ` and over-length samples are rejected` : ''}`,
          );
      }
      if (imageCap !== null && images > packing.maxImagesPerPack! && !(alone && packing.overLength === 'own-pack')) {
        imageCap.add(shards.epoch, rank, step, `${place} holds ${images} images; the cap is ${packing.maxImagesPerPack}`);
      }
      if (columns.isPadding[start]) return;
      totals.packs++;
      totals.tokens += tokens;
      fillCounts[tokens > packing.maxTokens ? FILL_BINS : Math.min(FILL_BINS - 1, Math.floor((tokens / packing.maxTokens) * FILL_BINS))]!++;
    });
  });
  const cost = stepCostImbalance(shards.ranks, packing.costLinearWeight);
  return {
    structure,
    budget,
    imageCap,
    figures: {
      packs: totals.packs,
      efficiency: totals.packs === 0 ? 1 : totals.tokens / (packing.maxTokens * totals.packs),
      ownPackOverBudget: totals.ownPack,
      ...cost,
      fillCounts,
    },
  };
}

/** Pack offsets run 0 … rows, no pack is empty and none crosses a record batch (step) boundary. */
function packsTileSteps(columns: RankShardColumns, epoch: number, rank: number, findings: FindingList): boolean {
  const { packStarts, stepStarts, sampleIds } = columns;
  const starts = packStarts!;
  if (starts[0] !== 0 || starts[starts.length - 1] !== sampleIds.length) {
    findings.add(epoch, rank, null, `packs cover rows ${starts[0]}..${starts[starts.length - 1]}; the shard has ${sampleIds.length} rows`);
    return false;
  }
  let k = 0;
  let ok = true;
  for (let j = 0; j + 1 < starts.length; j++) {
    while (stepStarts[k + 1]! <= starts[j]!) k++;
    if (starts[j + 1]! > stepStarts[k + 1]! || starts[j]! >= starts[j + 1]!) {
      findings.add(
        epoch,
        rank,
        columns.facts.firstStep + k,
        `pack rows [${starts[j]}, ${starts[j + 1]}) cross the end of the step's record batch or are empty`,
      );
      ok = false;
    }
  }
  for (let s = 0; s + 1 < stepStarts.length; s++)
    if (stepStarts[s + 1] === stepStarts[s]) findings.add(epoch, rank, columns.facts.firstStep + s, 'the step holds no pack');
  return ok;
}

/** Call `visit(start, end, step, packInStep)` for every pack of a rank, in order. */
function walkPacks(columns: RankShardColumns, visit: (start: number, end: number, step: number, pack: number) => void): void {
  const starts = columns.packStarts!;
  let k = 0;
  let inStep = 0;
  for (let j = 0; j + 1 < starts.length; j++) {
    while (columns.stepStarts[k + 1]! <= starts[j]!) {
      k++;
      inStep = 0;
    }
    visit(starts[j]!, starts[j + 1]!, columns.facts.firstStep + k, inStep++);
  }
}

/** Per step: the ranks' attention costs, dearest ÷ mean − 1 (a rank out of steps counts as idle). */
function stepCostImbalance(ranks: EpochShards['ranks'], linearWeight: number): Pick<PackFigures, 'meanStepCostImbalance' | 'worstStepCost'> {
  const present = ranks.flatMap((columns, rank) => (columns === null ? [] : [{ rank, columns }]));
  const steps = Math.max(0, ...present.map(({ columns }) => columns.stepStarts.length - 1));
  let sum = 0;
  let worst = { step: 0, imbalance: 0, busiestRank: 0 };
  for (let k = 0; k < steps; k++) {
    let total = 0;
    let max = -1;
    let busiest = 0;
    for (const { rank, columns } of present) {
      let cost = 0;
      if (k + 1 < columns.stepStarts.length)
        for (let p = columns.stepStarts[k]!; p < columns.stepStarts[k + 1]!; p++) cost += sampleCost(columns.totalTokens[p]!, linearWeight);
      total += cost;
      if (cost > max) [max, busiest] = [cost, rank];
    }
    const imbalance = total === 0 ? 0 : max / (total / ranks.length) - 1;
    sum += imbalance;
    if (imbalance > worst.imbalance) worst = { step: (present[0]?.columns.facts.firstStep ?? 0) + k, imbalance, busiestRank: busiest };
  }
  return { meanStepCostImbalance: steps === 0 ? 0 : sum / steps, worstStepCost: worst };
}

function describeIds(ids: Int32Array, start: number, end: number): string {
  const shown = Array.from(ids.subarray(start, Math.min(end, start + 4))).join(', ');
  return end - start > 4 ? `${shown}, …` : shown;
}
