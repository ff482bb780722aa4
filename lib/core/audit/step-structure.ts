import { FindingList } from './finding.js';
import { stepCountOf, type EpochShards, type RankShardColumns } from './rank-shard-columns.js';

/** The run's shape every shard must share (from the shard manifests). */
export interface RunShape {
  readonly worldSize: number;
  readonly microBatchSize: number;
}

/** Steps per rank, re-derived from the record batches, and the structure checks' findings. */
export interface StepStructure {
  readonly stepsPerRankMin: number;
  readonly stepsPerRankMax: number;
  /** Each shard is where it says it is and has the run's shape; no rank file is missing. */
  readonly shardFiles: FindingList;
  /** Every rank runs the same number of steps (a rank that stops early hangs the others' all-reduce). */
  readonly equalSteps: FindingList;
  /** Every micro-batch has microBatchSize rows, except possibly a rank's last one. */
  readonly fullMicroBatches: FindingList;
}

/** Check the epoch's step structure from the shards' record-batch offsets and metadata. */
export function checkStepStructure(shards: EpochShards, shape: RunShape): StepStructure {
  const { epoch } = shards;
  const shardFiles = new FindingList();
  const equalSteps = new FindingList();
  const fullMicroBatches = new FindingList();
  if (shards.ranks.length !== shape.worldSize) {
    shardFiles.add(epoch, null, null, `${shards.ranks.length} rank shards; the run has world size ${shape.worldSize}`);
  }
  const present = shards.ranks.flatMap((columns, rank) => (columns === null ? [] : [{ rank, columns }]));
  shards.ranks.forEach((columns, rank) => {
    if (columns === null) shardFiles.add(epoch, rank, null, 'no usable shard file for this rank');
  });
  const counts = present.map(({ columns }) => stepCountOf(columns));
  const maxSteps = counts.length > 0 ? Math.max(...counts) : 0;
  const minSteps = counts.length > 0 ? Math.min(...counts) : 0;
  const ranksWithMax = present.filter(({ columns }) => stepCountOf(columns) === maxSteps).map((p) => p.rank);
  for (const { rank, columns } of present) {
    checkFacts(columns, epoch, rank, shape, shardFiles);
    checkBatchSizes(columns, epoch, rank, shape.microBatchSize, fullMicroBatches);
    const steps = stepCountOf(columns);
    if (steps < maxSteps) {
      equalSteps.add(
        epoch,
        rank,
        columns.facts.firstStep + steps,
        `rank runs ${steps} steps and stops here; ${describeRanks(ranksWithMax)} run${ranksWithMax.length === 1 ? 's' : ''} ${maxSteps}`,
      );
    }
  }
  return { stepsPerRankMin: minSteps, stepsPerRankMax: maxSteps, shardFiles, equalSteps, fullMicroBatches };
}

/** A shard whose metadata names another epoch, rank or shape was misplaced or rewritten. */
function checkFacts(columns: RankShardColumns, epoch: number, rank: number, shape: RunShape, findings: FindingList): void {
  const { facts } = columns;
  const expected = { epoch, rank, worldSize: shape.worldSize, microBatchSize: shape.microBatchSize };
  for (const [field, value] of Object.entries(expected)) {
    const claimed = facts[field as keyof typeof expected];
    if (claimed !== value) findings.add(epoch, rank, null, `the file's metadata says ${field} ${claimed}; expected ${value}`);
  }
}

/** Every record batch holds microBatchSize rows; only a rank's last may be shorter, and none is empty. */
function checkBatchSizes(columns: RankShardColumns, epoch: number, rank: number, microBatchSize: number, findings: FindingList): void {
  const { stepStarts, facts } = columns;
  const steps = stepStarts.length - 1;
  if (stepStarts[0] !== 0 || stepStarts[steps] !== columns.sampleIds.length) {
    findings.add(epoch, rank, null, `record batches cover rows ${stepStarts[0]}..${stepStarts[steps]}; the shard has ${columns.sampleIds.length} rows`);
  }
  for (let k = 0; k < steps; k++) {
    const rows = stepStarts[k + 1]! - stepStarts[k]!;
    const isLast = k === steps - 1;
    if (rows === microBatchSize || (isLast && rows > 0 && rows < microBatchSize)) continue;
    const expected = isLast ? `1..${microBatchSize}` : `${microBatchSize}`;
    findings.add(epoch, rank, facts.firstStep + k, `micro-batch has ${rows} rows; expected ${expected}`);
  }
}

/** `ranks 0–2, 5` style list (first few only). */
function describeRanks(ranks: readonly number[]): string {
  if (ranks.length === 1) return `rank ${ranks[0]}`;
  const shown = ranks.slice(0, 8).join(', ');
  return `ranks ${shown}${ranks.length > 8 ? ` and ${ranks.length - 8} more` : ''}`;
}
