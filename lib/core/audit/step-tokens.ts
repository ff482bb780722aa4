import type { RankShardColumns } from './rank-shard-columns.js';

/** Heatmap rows at most: ranks are grouped so a 1024-rank run still draws as a readable picture. */
export const MAX_HEATMAP_RANK_ROWS = 64;
/** Step columns at most (heatmap and imbalance series). */
export const MAX_STEP_COLUMNS = 200;

/** Per-rank tokens per step, downsampled: row g covers ranks [g·ranksPerRow, …), column c covers steps [c·stepsPerColumn, …). */
export interface StepTokenHeatmap {
  readonly rows: number;
  readonly columns: number;
  readonly ranksPerRow: number;
  readonly stepsPerColumn: number;
  /** rows × columns, row-major: mean tokens per rank per step in the cell. */
  readonly meanTokens: number[];
}

/** Per-step token balance across ranks, re-derived from the shards' total_tokens. */
export interface StepTokens {
  readonly steps: number;
  /** Per step: busiest rank's tokens ÷ mean rank tokens (1 = perfectly even). */
  readonly imbalanceByStep: Float64Array;
  /** The most imbalanced step: where the other ranks wait longest at the all-reduce. */
  readonly worstStep: { readonly step: number; readonly imbalance: number; readonly busiestRank: number };
  readonly heatmap: StepTokenHeatmap;
  /** Imbalance downsampled to at most MAX_STEP_COLUMNS points: mean and max per column. */
  readonly imbalanceSeries: { readonly stepsPerColumn: number; readonly mean: number[]; readonly max: number[] };
}

/**
 * Sum every rank's total_tokens per step (a missing rank, or one that has run out of steps, counts
 * as an idle rank with 0 tokens: what an uneven plan really costs) and derive per-step imbalance
 * and a downsampled heatmap. One sequential pass over the token column of every rank.
 */
export function measureStepTokens(ranks: readonly (RankShardColumns | null)[]): StepTokens {
  const W = ranks.length;
  const steps = Math.max(0, ...ranks.map((columns) => (columns === null ? 0 : columns.stepStarts.length - 1)));
  const stepTotal = new Float64Array(steps);
  const stepBusiest = new Float64Array(steps);
  const busiestRank = new Int32Array(steps);
  const ranksPerRow = Math.max(1, Math.ceil(W / MAX_HEATMAP_RANK_ROWS));
  const stepsPerColumn = Math.max(1, Math.ceil(steps / MAX_STEP_COLUMNS));
  const rows = Math.ceil(W / ranksPerRow);
  const columns = Math.ceil(steps / stepsPerColumn);
  const cellSums = new Float64Array(rows * columns);
  ranks.forEach((shard, rank) => {
    if (shard === null) return;
    const { stepStarts, totalTokens } = shard;
    const rowBase = Math.floor(rank / ranksPerRow) * columns;
    for (let k = 0; k + 1 < stepStarts.length; k++) {
      let sum = 0;
      for (let p = stepStarts[k]!; p < stepStarts[k + 1]!; p++) sum += totalTokens[p]!;
      stepTotal[k]! += sum;
      if (sum > stepBusiest[k]!) {
        stepBusiest[k] = sum;
        busiestRank[k] = rank;
      }
      cellSums[rowBase + Math.floor(k / stepsPerColumn)]! += sum;
    }
  });
  const imbalanceByStep = new Float64Array(steps);
  let worst = 0;
  for (let k = 0; k < steps; k++) {
    imbalanceByStep[k] = stepTotal[k]! > 0 ? stepBusiest[k]! / (stepTotal[k]! / W) : 1;
    if (imbalanceByStep[k]! > imbalanceByStep[worst]!) worst = k;
  }
  return {
    steps,
    imbalanceByStep,
    worstStep: { step: worst, imbalance: steps > 0 ? imbalanceByStep[worst]! : 1, busiestRank: steps > 0 ? busiestRank[worst]! : 0 },
    heatmap: { rows, columns, ranksPerRow, stepsPerColumn, meanTokens: cellMeans(cellSums, W, steps, ranksPerRow, stepsPerColumn, columns) },
    imbalanceSeries: downsampleSeries(imbalanceByStep, stepsPerColumn),
  };
}

/** Each cell's sum over (ranks in its row × steps in its column); edge cells cover fewer. */
function cellMeans(sums: Float64Array, W: number, steps: number, ranksPerRow: number, stepsPerColumn: number, columns: number): number[] {
  return Array.from(sums, (sum, cell) => {
    const row = Math.floor(cell / columns);
    const column = cell % columns;
    const ranksInRow = Math.min(ranksPerRow, W - row * ranksPerRow);
    const stepsInColumn = Math.min(stepsPerColumn, steps - column * stepsPerColumn);
    return sum / (ranksInRow * stepsInColumn);
  });
}

function downsampleSeries(values: Float64Array, perColumn: number): StepTokens['imbalanceSeries'] {
  const mean: number[] = [];
  const max: number[] = [];
  for (let start = 0; start < values.length; start += perColumn) {
    const slice = values.subarray(start, Math.min(values.length, start + perColumn));
    let sum = 0;
    let top = 0;
    for (const value of slice) {
      sum += value;
      if (value > top) top = value;
    }
    mean.push(sum / slice.length);
    max.push(top);
  }
  return { stepsPerColumn: perColumn, mean, max };
}
