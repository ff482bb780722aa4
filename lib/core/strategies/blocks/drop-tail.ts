import { unpadded, type PaddedOrder } from './cyclic-pad.js';

/** A global order cut to size, with what was cut off. */
export interface TruncatedOrder {
  readonly kept: PaddedOrder;
  /** The cut-off ids, ascending (EpochPlan.droppedIds). */
  readonly droppedIds: Int32Array;
}

/** drop_last's `indices[:total_size]`: keep the head, report the tail as dropped. */
export function dropTail(order: Int32Array, totalSize: number): TruncatedOrder {
  return { kept: unpadded(order.subarray(0, totalSize)), droppedIds: order.slice(totalSize).sort() };
}
