/**
 * Variable-width Arrow columns as views onto the file's own buffers when a column is one unsliced
 * chunk (every file we write is one record batch), falling back to the copying readers otherwise.
 * For readers that only copy rows out: a tokens file is 100+ MB, and copying it whole to read a
 * fifth of its rows was most of a shard-writing call.
 */
import type { Data } from 'apache-arrow';
import type { Utf8Column } from '../core/index/length-index.js';
import { readInt32List, readUtf8, readUtf8List } from './list-columns.js';

/** One chunk starting at row 0 whose offsets start at 0: its buffers already are the flat column. */
function isWhole(chunks: readonly Data[]): boolean {
  return chunks.length === 1 && chunks[0]!.offset === 0 && (chunks[0]!.valueOffsets as Int32Array)[0] === 0;
}

/** A Utf8 column as bytes plus n + 1 offsets, viewed when possible. */
export function viewUtf8(chunks: readonly Data[], n: number): Utf8Column {
  if (!isWhole(chunks) || chunks[0]!.length !== n) return readUtf8(chunks, n);
  const offsets = (chunks[0]!.valueOffsets as Int32Array).subarray(0, n + 1);
  return { bytes: (chunks[0]!.values as Uint8Array).subarray(0, offsets[n]), offsets };
}

/** A List<Int32> column as flat values plus n + 1 offsets, viewed when possible. */
export function viewInt32List(chunks: readonly Data[], n: number): { values: Int32Array; offsets: Int32Array } {
  if (!isWhole(chunks) || chunks[0]!.length !== n || chunks[0]!.children[0]!.offset !== 0) return readInt32List(chunks, n);
  const offsets = (chunks[0]!.valueOffsets as Int32Array).subarray(0, n + 1);
  return { values: (chunks[0]!.children[0]!.values as Int32Array).subarray(0, offsets[n]), offsets };
}

/** A List<Utf8> column as one Utf8Column of all items plus n + 1 list offsets, viewed when possible. */
export function viewUtf8List(chunks: readonly Data[], n: number): { values: Utf8Column; offsets: Int32Array } {
  if (!isWhole(chunks) || chunks[0]!.length !== n || chunks[0]!.children[0]!.offset !== 0) return readUtf8List(chunks, n);
  const offsets = (chunks[0]!.valueOffsets as Int32Array).subarray(0, n + 1);
  return { values: viewUtf8([chunks[0]!.children[0]!.slice(0, offsets[n]!)], offsets[n]!), offsets };
}
