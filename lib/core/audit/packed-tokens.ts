/**
 * The token-level checks of a packed shard (tokens variant), run where the token bytes are read
 * (the audit partial), so the reduce never touches them: position ids restart at 0 for every
 * sample and, images expanded, end exactly at the sample's total_tokens; each row has as many
 * image sentinels as images; the first label of every sample after the first in a pack is −100.
 */
import { IGNORE_INDEX, IMAGE_TOKEN_INDEX } from '../shards/packed-token-columns.js';
import { FindingList } from './finding.js';

/** One rank's packed tokens shard as the checks read it (typed arrays, rank-local rows). */
export interface PackedTokenRows {
  readonly epoch: number;
  readonly rank: number;
  readonly firstStep: number;
  readonly stepStarts: ArrayLike<number>;
  readonly packStarts: ArrayLike<number>;
  readonly sampleIds: Int32Array;
  readonly totalTokens: Int32Array;
  readonly tokenOffsets: Int32Array;
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  readonly positionIds: Int32Array;
  readonly imageOffsets: Int32Array;
  readonly imageTokens: Int32Array;
}

/** Findings of the two token-level checks (`pack-positions`, `boundary-labels`). */
export interface PackedTokenFindings {
  readonly positions: FindingList;
  readonly labels: FindingList;
}

/** Check one rank's packed tokens; at most one finding per sample and check. */
export function checkPackedTokens(
  rows: PackedTokenRows,
  found: PackedTokenFindings = { positions: new FindingList(), labels: new FindingList() },
): PackedTokenFindings {
  const n = rows.sampleIds.length;
  let step = 0;
  let pack = 0;
  let packInStep = -1;
  for (let p = 0; p < n; p++) {
    while (rows.stepStarts[step + 1]! <= p) {
      step++;
      packInStep = -1;
    }
    const startsPack = p === rows.packStarts[pack];
    if (startsPack) {
      pack++;
      packInStep++;
    }
    const where = `pack ${packInStep} sample ${rows.sampleIds[p]} (row ${p})`;
    const problem = positionProblem(rows, p);
    if (problem !== null) found.positions.add(rows.epoch, rows.rank, rows.firstStep + step, `${where}: ${problem}`);
    const first = rows.tokenOffsets[p]!;
    if (!startsPack && first < rows.tokenOffsets[p + 1]! && rows.labels[first] !== IGNORE_INDEX) {
      found.labels.add(
        rows.epoch,
        rows.rank,
        rows.firstStep + step,
        `${where}: first label is ${rows.labels[first]}, not ${IGNORE_INDEX}: the previous sample's last token is trained to predict it`,
      );
    }
  }
  return found;
}

/** Why row p's position ids are wrong, or null: 0 first, each token advancing by its expanded width, ending at total_tokens. */
function positionProblem(rows: PackedTokenRows, p: number): string | null {
  const from = rows.tokenOffsets[p]!;
  const to = rows.tokenOffsets[p + 1]!;
  let image = rows.imageOffsets[p]!;
  const lastImage = rows.imageOffsets[p + 1]!;
  let expected = 0;
  for (let t = from; t < to; t++) {
    if (rows.positionIds[t] !== expected) {
      return t === from
        ? `position ids start at ${rows.positionIds[t]}, not 0: they must restart for every sample`
        : `position id ${t - from} is ${rows.positionIds[t]}; the expanded position there is ${expected}`;
    }
    if (rows.inputIds[t] !== IMAGE_TOKEN_INDEX) expected += 1;
    else if (image < lastImage) expected += rows.imageTokens[image++]!;
    else return `has more image sentinels than its ${lastImage - rows.imageOffsets[p]!} images`;
  }
  if (image !== lastImage) return `has ${image - rows.imageOffsets[p]!} image sentinels for ${lastImage - rows.imageOffsets[p]!} images`;
  if (expected !== rows.totalTokens[p]) return `expands to ${expected} positions; its total_tokens is ${rows.totalTokens[p]}`;
  return null;
}
