import type { Mt19937 } from '../../rng/mt19937.js';
import { uniformBelow } from '../../rng/shuffle.js';
import type { SegmentSorter } from '../../sort/segment-sorter.js';

/** A run of consecutive micro-step groups that stays together when the epoch is shuffled. */
interface Unit {
  readonly start: number;
  readonly groups: number;
}

/** Inputs of {@link layoutMicroSteps}. */
export interface LayoutInput {
  /** Shuffled entries, image–text segment first. */
  readonly ids: Int32Array;
  /** |length| of each entry, moved along with ids. */
  readonly magnitudes: Int32Array;
  /** Where the sorted mega-batches go (same offsets): the other half of the double buffer. */
  readonly sortedIds: Int32Array;
  readonly sortedMagnitudes: Int32Array;
  /** Length of the first segment (all entries when modality grouping is off). */
  readonly firstSegmentLength: number;
  /** W × B: samples of one micro-step across all ranks. */
  readonly groupSize: number;
  /** Micro-step groups per mega-batch. */
  readonly megaBatchMult: number;
}

/**
 * Lay the epoch out as micro-step groups, each `groupSize` entries sorted longest first (written to
 * sortedIds/sortedMagnitudes), and return the start offset of each step's group, in step order:
 * 1. cut each modality segment into mega-batches of mult × W × B and sort each (length grouping);
 *    a segment's leftover forms one shorter unit of whole groups;
 * 2. the two segments' last partial groups (image–text at the end of segment 1, text-only at the
 *    start of segment 2, so they touch) form the single mixed group;
 * 3. shuffle the units with the epoch's stream, keeping each unit's longest-first order;
 * 4. move the group holding the longest sample to step 0, so an out-of-memory shows at once.
 */
export function layoutMicroSteps(input: LayoutInput, sorter: SegmentSorter, rng: Mt19937): Int32Array {
  const { firstSegmentLength, groupSize } = input;
  const total = input.ids.length;
  const partialTail = firstSegmentLength % groupSize;
  const partialHead = partialTail === 0 ? 0 : groupSize - partialTail;
  const units: Unit[] = [];
  collectUnits(input, 0, firstSegmentLength - partialTail, sorter, units);
  collectUnits(input, firstSegmentLength + partialHead, total, sorter, units);
  if (partialTail > 0) {
    const mixedStart = firstSegmentLength - partialTail;
    sortRange(input, sorter, mixedStart, mixedStart + groupSize);
    units.push({ start: mixedStart, groups: 1 });
  }
  shuffleUnits(units, rng);
  const groupStarts = expandUnits(units, total / groupSize, groupSize);
  moveLongestGroupFirst(groupStarts, input.sortedMagnitudes);
  return groupStarts;
}

/** Step 1 for one segment [from, to), whose length is a whole number of groups. */
function collectUnits(input: LayoutInput, from: number, to: number, sorter: SegmentSorter, units: Unit[]): void {
  const megaBatchSize = input.megaBatchMult * input.groupSize;
  for (let start = from; start < to; start += megaBatchSize) {
    const end = Math.min(start + megaBatchSize, to);
    sortRange(input, sorter, start, end);
    units.push({ start, groups: (end - start) / input.groupSize });
  }
}

function sortRange(input: LayoutInput, sorter: SegmentSorter, start: number, end: number): void {
  sorter.sortPairsDescendingInto(input.ids, input.magnitudes, input.sortedIds, input.sortedMagnitudes, start, end);
}

/** Step 3: unbiased Fisher–Yates over the units. */
function shuffleUnits(units: Unit[], rng: Mt19937): void {
  for (let i = units.length - 1; i > 0; i--) {
    const j = uniformBelow(rng, i + 1);
    const tmp = units[i]!;
    units[i] = units[j]!;
    units[j] = tmp;
  }
}

function expandUnits(units: readonly Unit[], groupCount: number, groupSize: number): Int32Array {
  const groupStarts = new Int32Array(groupCount);
  let step = 0;
  for (const unit of units) {
    for (let g = 0; g < unit.groups; g++) groupStarts[step++] = unit.start + g * groupSize;
  }
  return groupStarts;
}

/** Step 4: groups are sorted, so a group's first entry is its longest; swap whole groups. */
function moveLongestGroupFirst(groupStarts: Int32Array, magnitudes: Int32Array): void {
  let best = 0;
  let bestLength = -1;
  for (let step = 0; step < groupStarts.length; step++) {
    const longest = magnitudes[groupStarts[step]!]!;
    if (longest > bestLength) {
      bestLength = longest;
      best = step;
    }
  }
  const tmp = groupStarts[0]!;
  groupStarts[0] = groupStarts[best]!;
  groupStarts[best] = tmp;
}
