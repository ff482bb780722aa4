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
}

/**
 * Lay out the population after the remainder policy in one sequential pass: dropped members
 * skipped, repeated ones added (all copies as ~id); with modality grouping, image–text members fill the
 * array from the front and text-only ones from the back. Nothing random yet: the order inside
 * each segment is shuffled next.
 */
export function buildPopulation(signedLengths: Int32Array, members: Int32Array | null, choice: RemainderChoice, groupByModality: boolean): Population {
  const size = members ? members.length : signedLengths.length;
  const { dropPositions, repeatPositions } = choice;
  const total = size - dropPositions.length + repeatPositions.length;
  const ids = new Int32Array(total);
  const magnitudes = new Int32Array(total);
  let front = 0;
  let back = total - 1;
  let maxMagnitude = 0;
  let drop = 0;
  let repeat = 0;
  let nextDrop = dropPositions.length > 0 ? dropPositions[0]! : -1;
  let nextRepeat = repeatPositions.length > 0 ? repeatPositions[0]! : -1;
  for (let p = 0; p < size; p++) {
    const id = members ? members[p]! : p;
    const length = signedLengths[id]!;
    const magnitude = length < 0 ? -length : length;
    const toFront = !groupByModality || length > 0;
    let copies = 1;
    if (p === nextDrop) {
      copies = 0;
      nextDrop = ++drop < dropPositions.length ? dropPositions[drop]! : -1;
    }
    while (p === nextRepeat) {
      copies++;
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
  return { ids, magnitudes, firstSegmentLength: front, maxMagnitude };
}
