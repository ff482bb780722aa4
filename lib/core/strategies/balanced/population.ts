import type { DrawnMultiset } from '../../mixture/drawn-multiset.js';
import type { RemainderChoice } from './remainder.js';

/** The epoch's entries as parallel (sample id, |length|) arrays, split into two segments. */
export interface Population {
  /** Sample ids; every copy of a sample the remainder policy repeats is stored as ~id (bitwise not). */
  readonly ids: Int32Array;
  readonly magnitudes: Int32Array;
  /** Entries [0, firstSegmentLength) have images; the rest are text-only (or all, ungrouped). */
  readonly firstSegmentLength: number;
  /** The largest magnitude. */
  readonly maxMagnitude: number;
  /** The sample id at each of the remainder's drop positions, in position order. */
  readonly droppedIds: Int32Array;
  /** The sample id at each of the remainder's repeat positions, in position order. */
  readonly repeatedIds: Int32Array;
}

/** Members of a drawn multiset read per piece: small enough to stay in cache between the draw and the layout. */
const PIECE_ENTRIES = 1 << 16;

/**
 * Lay out the population after the remainder policy in one sequential pass: dropped members
 * skipped, repeated ones added (all copies as ~id); with modality grouping, image–text members fill the
 * array from the front and text-only ones from the back. Nothing random yet: the order inside
 * each segment is shuffled next. `members` null = every sample 0..n−1 once; a drawn multiset is
 * read piece by piece into one small buffer, so the planner never holds (nor faults in) the drawn
 * population, only the arrays the plain plan allocates too.
 */
export function buildPopulation(
  signedLengths: Int32Array,
  members: Int32Array | DrawnMultiset | null,
  choice: RemainderChoice,
  groupByModality: boolean,
  pieceEntries = PIECE_ENTRIES,
): Population {
  const listed = members === null || members instanceof Int32Array;
  const size = members === null ? signedLengths.length : listed ? members.length : members.total;
  const reader = listed ? null : members.read();
  const piece = listed ? members : new Int32Array(Math.min(pieceEntries, size));
  const { dropPositions, repeatPositions } = choice;
  const total = size - dropPositions.length + repeatPositions.length;
  const ids = new Int32Array(total);
  const magnitudes = new Int32Array(total);
  const droppedIds = new Int32Array(dropPositions.length);
  const repeatedIds = new Int32Array(repeatPositions.length);
  let front = 0;
  let back = total - 1;
  let maxMagnitude = 0;
  let drop = 0;
  let repeat = 0;
  let nextDrop = dropPositions.length > 0 ? dropPositions[0]! : -1;
  let nextRepeat = repeatPositions.length > 0 ? repeatPositions[0]! : -1;
  // One call runs the whole pass, pieces included: per-piece calls of the entry loop would each
  // re-enter it through on-stack replacement (measured: deoptimised on every exit).
  for (let p = 0; p < size; ) {
    const count = reader === null ? size : reader.fill(piece!);
    if (count === 0) break;
    for (let i = 0; i < count; i++, p++) {
      const id = piece ? piece[i]! : p;
      const length = signedLengths[id]!;
      const magnitude = length < 0 ? -length : length;
      const toFront = !groupByModality || length > 0;
      let copies = 1;
      if (p === nextDrop) {
        copies = 0;
        droppedIds[drop] = id;
        nextDrop = ++drop < dropPositions.length ? dropPositions[drop]! : -1;
      }
      while (p === nextRepeat) {
        copies++;
        repeatedIds[repeat] = id;
        nextRepeat = ++repeat < repeatPositions.length ? repeatPositions[repeat]! : -1;
      }
      // All copies of a repeated sample are marked; which one is the padding is decided in
      // training order once the plan is laid out (the first seen is the real one).
      for (let c = 0; c < copies; c++) {
        const slot = toFront ? front++ : back--;
        ids[slot] = copies > 1 ? ~id : id;
        magnitudes[slot] = magnitude;
      }
      if (copies > 0 && magnitude > maxMagnitude) maxMagnitude = magnitude;
    }
  }
  return { ids, magnitudes, firstSegmentLength: front, maxMagnitude, droppedIds, repeatedIds };
}
