/**
 * Reading variable-width Arrow columns (Utf8, dictionaries, lists) back into flat typed arrays,
 * concatenating record batches and rebasing offsets, without per-row JS values.
 */
import type { Data } from 'apache-arrow';
import type { Utf8Column } from '../core/index/length-index.js';
import { concatChunks } from './ipc-read.js';

/** A Utf8 column's chunks as one bytes buffer plus n + 1 offsets. */
export function readUtf8(chunks: readonly Data[], n: number): Utf8Column {
  let byteCount = 0;
  for (const chunk of chunks) byteCount += chunk.valueOffsets[chunk.length]! - chunk.valueOffsets[0]!;
  const bytes = new Uint8Array(byteCount);
  const offsets = new Int32Array(n + 1);
  let row = 0;
  for (const chunk of chunks) {
    const chunkOffsets = chunk.valueOffsets as Int32Array;
    const base = offsets[row]! - chunkOffsets[0]!;
    bytes.set((chunk.values as Uint8Array).subarray(chunkOffsets[0], chunkOffsets[chunk.length]), offsets[row]!);
    if (base === 0) offsets.set(chunkOffsets.subarray(1, chunk.length + 1), row + 1);
    else for (let i = 1; i <= chunk.length; i++) offsets[row + i] = chunkOffsets[i]! + base;
    row += chunk.length;
  }
  return { bytes, offsets };
}

/**
 * Dictionary indices as one Int32Array into one list of names. Each batch's dictionary is mapped
 * onto the merged list, so files whose writers emit delta dictionaries decode too.
 */
export function readDictionary(chunks: readonly Data[], n: number): { names: string[]; indices: Int32Array } {
  const names: string[] = [];
  const positions = new Map<string, number>();
  const indices = new Int32Array(n);
  let row = 0;
  for (const chunk of chunks) {
    const local = chunk.values as Int32Array;
    const dictionary = (chunk.dictionary?.toArray() ?? []) as string[];
    const remap = Int32Array.from(dictionary, (name) => {
      if (!positions.has(name)) positions.set(name, names.push(name) - 1);
      return positions.get(name)!;
    });
    for (let i = 0; i < chunk.length; i++) {
      const code = local[i]!;
      // Out-of-range codes become -1 so validation reports the row.
      indices[row++] = code >= 0 && code < remap.length ? remap[code]! : -1;
    }
  }
  return { names, indices };
}

/** An Int64 column as one BigInt64Array. */
export function readInt64(chunks: readonly Data[], n: number): BigInt64Array {
  return concatChunks(chunks, BigInt64Array, n);
}

/** A List<Int32> column as flat values plus n + 1 offsets (rebased across batches and slices). */
export function readInt32List(chunks: readonly Data[], n: number): { values: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(n + 1);
  const parts: Int32Array[] = [];
  let row = 0;
  for (const chunk of chunks) {
    const listOffsets = chunk.valueOffsets as Int32Array;
    const child = chunk.children[0]!;
    const first = listOffsets[0]!;
    const last = listOffsets[chunk.length]!;
    parts.push((child.values as Int32Array).subarray(child.offset + first, child.offset + last));
    for (let i = 1; i <= chunk.length; i++) offsets[row + i] = offsets[row]! + (listOffsets[i]! - first);
    row += chunk.length;
  }
  const values = new Int32Array(offsets[n]!);
  let at = 0;
  for (const part of parts) {
    values.set(part, at);
    at += part.length;
  }
  return { values, offsets };
}

/** A List<Utf8> column as one Utf8Column of all items plus n + 1 list offsets. */
export function readUtf8List(chunks: readonly Data[], n: number): { values: Utf8Column; offsets: Int32Array } {
  const offsets = new Int32Array(n + 1);
  const itemChunks: Data[] = [];
  let row = 0;
  for (const chunk of chunks) {
    const listOffsets = chunk.valueOffsets as Int32Array;
    const first = listOffsets[0]!;
    itemChunks.push(chunk.children[0]!.slice(first, listOffsets[chunk.length]! - first));
    for (let i = 1; i <= chunk.length; i++) offsets[row + i] = offsets[row]! + (listOffsets[i]! - first);
    row += chunk.length;
  }
  return { values: readUtf8(itemChunks, offsets[n]!), offsets };
}
