/** Sample ids of each modality, each in dataset order (upstream's `zip(*[(i, l) ... if l > 0])`). */
export interface ModalitySplit {
  /** Samples with image(s): positive length. */
  readonly multimodalIds: Int32Array;
  /** Text-only samples: negative length. */
  readonly textIds: Int32Array;
}

/** Partition sample ids by the sign of their length, keeping dataset order within each part. */
export function splitByModality(lengths: Int32Array): ModalitySplit {
  let multimodalCount = 0;
  for (let i = 0; i < lengths.length; i++) if (lengths[i]! > 0) multimodalCount++;
  const multimodalIds = new Int32Array(multimodalCount);
  const textIds = new Int32Array(lengths.length - multimodalCount);
  let m = 0;
  let t = 0;
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i]! > 0) multimodalIds[m++] = i;
    else textIds[t++] = i;
  }
  return { multimodalIds, textIds };
}

/** True when every sample has the same modality (upstream's `all(l > 0) or all(l < 0)` fast path). */
export function isSingleModality(split: ModalitySplit): boolean {
  return split.multimodalIds.length === 0 || split.textIds.length === 0;
}

/** Map a permutation of local positions to dataset ids: `[ids[j] for j in permutation]`. */
export function takeIds(ids: Int32Array, permutation: Int32Array): Int32Array {
  const out = new Int32Array(permutation.length);
  for (let j = 0; j < permutation.length; j++) out[j] = ids[permutation[j]!]!;
  return out;
}
