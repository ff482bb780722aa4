import { EntryPositions, Int32List } from './entry-positions.js';
import { FindingList } from './finding.js';
import { stepOfRow, type EpochShards } from './rank-shard-columns.js';

const NOT_SEEN = -1;
const DECLARED_DROP = -2;

/** Declared padding entries a report lists one by one; the count is always exact. */
export const LISTED_PADDING_ENTRIES = 10_000;

/** Where each declared padding entry is: parallel arrays, at most LISTED_PADDING_ENTRIES long. */
export interface PaddingListing {
  readonly sampleIds: number[];
  readonly ranks: number[];
  readonly steps: number[];
}

/** What an epoch's shards hold, counted from the rows, and the coverage checks' findings. */
export interface EpochCoverage {
  readonly entries: number;
  /** Samples with at least one unflagged occurrence. */
  readonly distinctSamples: number;
  readonly paddingEntries: number;
  readonly padding: PaddingListing;
  readonly droppedDeclared: number;
  /** distinctSamples / sampleCount. */
  readonly coverage: number;
  readonly knownIds: FindingList;
  readonly exactlyOnce: FindingList;
  readonly paddingDeclared: FindingList;
}

/**
 * Re-derive the coverage of one epoch from its shards: every sample id is a row of the index;
 * every sample not declared dropped occurs exactly once unflagged; a declared drop never occurs;
 * every padding entry repeats a sample that also occurs for real; the number of padding entries is
 * what the plan declares. One pass over the rows plus one over the samples, typed arrays only.
 */
export function checkEpochCoverage(shards: EpochShards, sampleCount: number): EpochCoverage {
  const { epoch } = shards;
  const positions = new EntryPositions(shards.ranks);
  const knownIds = new FindingList();
  const exactlyOnce = new FindingList();
  const paddingDeclared = new FindingList();
  // Per sample: position of its first unflagged occurrence, NOT_SEEN, or DECLARED_DROP — one
  // array, so each row costs one random access into a 40 MB array, not two.
  const firstReal = new Int32Array(sampleCount).fill(NOT_SEEN);
  for (const id of shards.declared.droppedIds) {
    if (id >= 0 && id < sampleCount) firstReal[id] = DECLARED_DROP;
    else knownIds.add(epoch, null, null, `declared dropped sample ${id} is not a row of the ${sampleCount}-sample index`);
  }
  const paddingPositions = new Int32List();
  shards.ranks.forEach((columns, rank) => {
    if (columns === null) return;
    const { sampleIds, isPadding } = columns;
    const base = positions.rankStarts[rank]!;
    for (let row = 0; row < sampleIds.length; row++) {
      const id = sampleIds[row]!;
      if (id < 0 || id >= sampleCount) {
        knownIds.add(epoch, rank, stepOfRow(columns, row), `sample ${id} is not a row of the ${sampleCount}-sample index`);
        continue;
      }
      if (isPadding[row] !== 0) {
        paddingPositions.push(base + row);
        continue;
      }
      const first = firstReal[id]!;
      if (first >= 0) {
        const where = positions.locate(first);
        exactlyOnce.add(epoch, rank, stepOfRow(columns, row), `sample ${id} seen twice (also epoch ${epoch} rank ${where.rank} step ${where.step})`);
        continue;
      }
      if (first === DECLARED_DROP) exactlyOnce.add(epoch, rank, stepOfRow(columns, row), `sample ${id} is declared dropped from this epoch but occurs`);
      firstReal[id] = base + row;
    }
  });
  // Findings with a place come first: a reviewer opens the first one.
  const padding = listPadding(shards, positions, paddingPositions.view(), (id) => firstReal[id]! >= 0, exactlyOnce);
  const distinctSamples = reportMissing(firstReal, epoch, exactlyOnce);
  const paddingEntries = paddingPositions.length;
  const declaredPadding = shards.declared.paddingEntries;
  if (declaredPadding !== null && declaredPadding !== paddingEntries) {
    paddingDeclared.add(epoch, null, null, `${paddingEntries} entries are flagged as padding; the plan declares ${declaredPadding}`);
  }
  return {
    entries: positions.total,
    distinctSamples,
    paddingEntries,
    padding,
    droppedDeclared: shards.declared.droppedIds.length,
    coverage: sampleCount > 0 ? distinctSamples / sampleCount : 1,
    knownIds,
    exactlyOnce,
    paddingDeclared,
  };
}

/** Samples that never occur unflagged although not declared dropped; returns the distinct count. */
function reportMissing(firstReal: Int32Array, epoch: number, findings: FindingList): number {
  let distinct = 0;
  for (let id = 0; id < firstReal.length; id++) {
    if (firstReal[id]! >= 0) distinct++;
    else if (firstReal[id] === NOT_SEEN) findings.add(epoch, null, null, `sample ${id} never occurs in this epoch and is not declared dropped`);
  }
  return distinct;
}

/** List padding entries (capped) and flag those that repeat a sample with no real occurrence. */
export function listPadding(
  shards: EpochShards,
  positions: EntryPositions,
  paddingPositions: Int32Array,
  occursForReal: (id: number) => boolean,
  findings: FindingList,
): PaddingListing {
  const listing: PaddingListing = { sampleIds: [], ranks: [], steps: [] };
  for (const position of paddingPositions) {
    const { rank, row } = positions.locateRow(position);
    const columns = shards.ranks[rank]!;
    const id = columns.sampleIds[row]!;
    const real = occursForReal(id);
    if (real && listing.sampleIds.length >= LISTED_PADDING_ENTRIES) continue;
    const step = stepOfRow(columns, row);
    if (!real) findings.add(shards.epoch, rank, step, `sample ${id} is flagged as padding but never occurs unflagged`);
    if (listing.sampleIds.length < LISTED_PADDING_ENTRIES) {
      listing.sampleIds.push(id);
      listing.ranks.push(rank);
      listing.steps.push(step);
    }
  }
  return listing;
}
