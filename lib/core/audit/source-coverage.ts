/**
 * The coverage check of a mixed epoch: every sample is seen exactly as often as the epoch's draw
 * declares. The draw is recomputed here from the manifest's mixture block (entries per source),
 * the run seed, the epoch and the index's source column — the shards are never trusted to say
 * what they owe. Memory: two Int32Arrays of the index's size (declared, seen).
 */
import { drawEpochCopies, MIXTURE_RULE_ID } from '../mixture/draw-epoch-multiset.js';
import type { EpochMixture } from '../mixture/epoch-mixture.js';
import { EntryPositions, Int32List } from './entry-positions.js';
import { listPadding, type EpochCoverage } from './epoch-coverage.js';
import { FindingList } from './finding.js';
import { stepOfRow, type EpochShards } from './rank-shard-columns.js';

/** The index's source column, to recompute a draw from. */
export interface SourceColumns {
  readonly sourceIndex: Int32Array;
  readonly sourceNames: readonly string[];
}

/** One source of a mixed epoch, as the audit counted it. */
export interface SourceMix {
  readonly name: string;
  readonly samples: number;
  /** Entries the epoch owes (drawn, less declared drops) and entries seen unflagged. */
  readonly declaredEntries: number;
  readonly seenEntries: number;
  /** Distinct samples owed and seen this epoch. */
  readonly declaredDistinct: number;
  readonly seenDistinct: number;
  /** Distinct samples seen at least once in this epoch or an earlier one. */
  readonly seenSoFar: number;
  /** The plan manifest's warning (a weight rounding the source to zero). */
  readonly warning?: string;
}

/** A mixed epoch's coverage: the usual figures and findings, the mix, and the manifest's warnings. */
export interface MixedCoverage extends EpochCoverage {
  readonly mix: { readonly rule: string; readonly sources: SourceMix[] };
  readonly weightWarnings: FindingList;
}

/**
 * Check a mixed epoch's shards against its recomputed draw. `everSeen` (one byte per sample,
 * kept by the caller across epochs) gains this epoch's samples. A manifest whose block disagrees
 * with the index or the rule is an `exactly-once` finding: its counts cannot be held to.
 */
export function checkMixedCoverage(
  shards: EpochShards,
  mixture: { block: EpochMixture; seed: bigint },
  sources: SourceColumns,
  everSeen: Uint8Array,
): MixedCoverage {
  const { epoch } = shards;
  const sampleCount = sources.sourceIndex.length;
  const { block } = mixture;
  const exactlyOnce = new FindingList();
  const knownIds = new FindingList();
  const paddingDeclared = new FindingList();
  const draw = drawEpochCopies(
    sources.sourceIndex,
    sources.sourceNames.map((name) => block.sources.find((s) => s.name === name)?.drawn ?? 0),
    mixture.seed,
    epoch,
  );
  checkBlock(block, sources, draw.perSource, epoch, exactlyOnce);
  const declared = draw.copies;
  for (const id of shards.declared.droppedIds) {
    if (id < 0 || id >= sampleCount) knownIds.add(epoch, null, null, `declared dropped sample ${id} is not a row of the ${sampleCount}-sample index`);
    else if (--declared[id]! < 0) exactlyOnce.add(epoch, null, null, `sample ${id} (${sourceOf(sources, id)}) is declared dropped more often than it is drawn`);
  }
  const { seen, positions, paddingPositions } = countRows(shards, declared, sources, knownIds, exactlyOnce);
  const padding = listPadding(shards, positions, paddingPositions.view(), (id) => seen[id]! > 0, exactlyOnce);
  const mix = countMix(block, sources, declared, seen, everSeen, epoch, exactlyOnce);
  const distinctSamples = mix.reduce((sum, source) => sum + source.seenDistinct, 0);
  const declaredPadding = shards.declared.paddingEntries;
  if (declaredPadding !== null && declaredPadding !== paddingPositions.length)
    paddingDeclared.add(epoch, null, null, `${paddingPositions.length} entries are flagged as padding; the plan declares ${declaredPadding}`);
  const weightWarnings = new FindingList();
  for (const source of block.sources) if (source.warning !== undefined) weightWarnings.add(epoch, null, null, source.warning);
  return {
    entries: positions.total,
    distinctSamples,
    paddingEntries: paddingPositions.length,
    padding,
    droppedDeclared: shards.declared.droppedIds.length,
    coverage: sampleCount > 0 ? distinctSamples / sampleCount : 1,
    knownIds,
    exactlyOnce,
    paddingDeclared,
    mix: { rule: block.rule, sources: mix },
    weightWarnings,
  };
}

/**
 * One pass over the epoch's rows: unflagged occurrences counted per sample (a row beyond the
 * sample's declared count is a finding at its place), padding entries collected.
 */
function countRows(shards: EpochShards, declared: Int32Array, sources: SourceColumns, knownIds: FindingList, exactlyOnce: FindingList) {
  const { epoch } = shards;
  const sampleCount = declared.length;
  const seen = new Int32Array(sampleCount);
  const positions = new EntryPositions(shards.ranks);
  const paddingPositions = new Int32List();
  shards.ranks.forEach((columns, rank) => {
    if (columns === null) return;
    const { sampleIds, isPadding } = columns;
    for (let row = 0; row < sampleIds.length; row++) {
      const id = sampleIds[row]!;
      if (id < 0 || id >= sampleCount) {
        knownIds.add(epoch, rank, stepOfRow(columns, row), `sample ${id} is not a row of the ${sampleCount}-sample index`);
      } else if (isPadding[row] !== 0) {
        paddingPositions.push(positions.rankStarts[rank]! + row);
      } else if (++seen[id]! > declared[id]!) {
        const where = stepOfRow(columns, row);
        exactlyOnce.add(epoch, rank, where, `sample ${id} (${sourceOf(sources, id)}) seen ${seen[id]} times by here, declared ${Math.max(0, declared[id]!)}`);
      }
    }
  });
  return { seen, positions, paddingPositions };
}

/** The manifest's block must be this rule's, name the index's sources, and state what the rule draws. */
function checkBlock(
  block: EpochMixture,
  sources: SourceColumns,
  drawn: readonly { drawn: number; distinct: number }[],
  epoch: number,
  findings: FindingList,
): void {
  const say = (message: string) => findings.add(epoch, null, null, `the plan manifest's mixture: ${message}`);
  if (block.rule !== MIXTURE_RULE_ID) say(`rule ${block.rule} is not ${MIXTURE_RULE_ID}, the rule this audit recomputes draws with`);
  for (const source of block.sources) if (!sources.sourceNames.includes(source.name)) say(`source "${source.name}" is not a source of the index`);
  const sizes = new Array<number>(sources.sourceNames.length).fill(0);
  for (const s of sources.sourceIndex) sizes[s]! += 1;
  sources.sourceNames.forEach((name, s) => {
    const stated = block.sources.find((source) => source.name === name);
    if (stated === undefined) return say(`source "${name}" of the index is missing`);
    if (stated.samples !== sizes[s]) say(`source "${name}" has ${stated.samples} samples; the index has ${sizes[s]}`);
    else if (stated.distinct !== drawn[s]!.distinct)
      say(`source "${name}" drew ${stated.distinct} distinct samples; ${MIXTURE_RULE_ID} draws ${drawn[s]!.distinct} for ${stated.drawn} entries`);
  });
}

/** Per source: owed vs seen (missing samples reported), and the running count of samples ever seen. */
function countMix(
  block: EpochMixture,
  sources: SourceColumns,
  declared: Int32Array,
  seen: Int32Array,
  everSeen: Uint8Array,
  epoch: number,
  findings: FindingList,
): SourceMix[] {
  const n = sources.sourceNames.length;
  const column = () => new Float64Array(n);
  const [declaredEntries, seenEntries, declaredDistinct, seenDistinct, seenSoFar, samples] = [column(), column(), column(), column(), column(), column()];
  for (let id = 0; id < declared.length; id++) {
    const s = sources.sourceIndex[id]!;
    const owed = Math.max(0, declared[id]!);
    const times = seen[id]!;
    samples[s]! += 1;
    declaredEntries[s]! += owed;
    seenEntries[s]! += times;
    if (owed > 0) declaredDistinct[s]! += 1;
    if (times > 0) {
      seenDistinct[s]! += 1;
      everSeen[id] = 1;
    }
    seenSoFar[s]! += everSeen[id]!;
    if (times < owed) findings.add(epoch, null, null, `sample ${id} (${sourceOf(sources, id)}) seen ${times} times, declared ${owed}`);
  }
  return sources.sourceNames.map((name, s) => {
    const warning = block.sources.find((source) => source.name === name)?.warning;
    return {
      name,
      samples: samples[s]!,
      declaredEntries: declaredEntries[s]!,
      seenEntries: seenEntries[s]!,
      declaredDistinct: declaredDistinct[s]!,
      seenDistinct: seenDistinct[s]!,
      seenSoFar: seenSoFar[s]!,
      ...(warning === undefined ? {} : { warning }),
    };
  });
}

function sourceOf(sources: SourceColumns, id: number): string {
  return `source ${sources.sourceNames[sources.sourceIndex[id]!]}`;
}
