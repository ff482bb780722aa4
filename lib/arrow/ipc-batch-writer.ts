/**
 * An Arrow IPC file of many small record batches over flat columns, written by hand: arrow-js
 * writes the schema message and the footer (from a one-empty-batch template), we write every
 * record batch message (a fixed-shape flatbuffer header, then the body) straight into one output
 * buffer, and append the footer's batch index. Same columns → same bytes.
 */
import { DataType, RecordBatch, RecordBatchFileWriter, Struct, makeData, type Data, type Int32, type Schema } from 'apache-arrow';
import type { Utf8Column } from '../core/index/length-index.js';
import { FlatBufferReader, writeU53 } from './flatbuffer-fields.js';

/** A column's rows as flat typed arrays (row order = file order). */
export type IpcColumn =
  | { readonly kind: 'int32'; readonly values: Int32Array }
  | { readonly kind: 'uint8'; readonly values: Uint8Array }
  | { readonly kind: 'bool'; readonly flags: Uint8Array }
  | { readonly kind: 'utf8'; readonly column: Utf8Column }
  | { readonly kind: 'list-int32'; readonly offsets: Int32Array; readonly values: Int32Array }
  | { readonly kind: 'list-utf8'; readonly offsets: Int32Array; readonly items: Utf8Column };

/** Field nodes and buffers each column kind contributes to a record batch (Arrow's depth-first order). */
export const IPC_SHAPE: Record<IpcColumn['kind'], { nodes: number; buffers: number }> = {
  int32: { nodes: 1, buffers: 2 }, uint8: { nodes: 1, buffers: 2 }, bool: { nodes: 1, buffers: 2 }, utf8: { nodes: 1, buffers: 3 },
  'list-int32': { nodes: 2, buffers: 4 }, 'list-utf8': { nodes: 2, buffers: 5 },
};

const CONTINUATION = 0xffffffff;
const MAGIC = new TextEncoder().encode('ARROW1');
const pad8 = (n: number) => (n + 7) & ~7;

/** Encode `rows` rows as record batches of `batchRows` rows (the last may be shorter). */
export function encodeBatchedIpcFile(schema: Schema, columns: readonly IpcColumn[], rows: number, batchRows: number): Uint8Array {
  const { schemaMessage, footer } = arrowJsTemplate(schema);
  const shape = columns.reduce((s, c) => ({ nodes: s.nodes + IPC_SHAPE[c.kind].nodes, buffers: s.buffers + IPC_SHAPE[c.kind].buffers }), { nodes: 0, buffers: 0 });
  const headerBytes = 96 + 16 * (shape.nodes + shape.buffers);
  const batches = Math.ceil(rows / batchRows);
  const bodies = new Float64Array(batches);
  let size = 8 + schemaMessage.length;
  for (let k = 0; k < batches; k++) {
    bodies[k] = writeBody(columns, k * batchRows, Math.min(rows, (k + 1) * batchRows), undefined);
    size += 8 + headerBytes + bodies[k]!;
  }
  const footerVectorAt = pad8(footer.length + 4) - 4;
  const footerBytes = footerVectorAt + 4 + 24 * batches;
  const out = new Uint8Array(size + 8 + footerBytes + 4 + MAGIC.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out.set(schemaMessage, 8);
  const blocks = new Float64Array(batches);
  let pos = 8 + schemaMessage.length;
  for (let k = 0; k < batches; k++) {
    blocks[k] = pos;
    const layout = { out, view, bodyStart: pos + 8 + headerBytes, nodes: [] as number[], buffers: [] as number[] };
    writeBody(columns, k * batchRows, Math.min(rows, (k + 1) * batchRows), layout);
    writeBatchHeader(view, pos, headerBytes, Math.min(rows, (k + 1) * batchRows) - k * batchRows, layout.nodes, layout.buffers, bodies[k]!);
    pos += 8 + headerBytes + bodies[k]!;
  }
  view.setUint32(pos, CONTINUATION, true); // end-of-stream marker, as arrow-js and pyarrow write before the footer
  pos += 8;
  writeFooter(out, view, pos, footer, footerVectorAt, blocks, headerBytes, bodies);
  view.setInt32(pos + footerBytes, footerBytes, true);
  out.set(MAGIC, pos + footerBytes + 4);
  return out;
}

/** The schema message and footer arrow-js writes for a file holding one empty batch. */
function arrowJsTemplate(schema: Schema): { schemaMessage: Uint8Array; footer: Uint8Array } {
  const data = makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children: schema.fields.map((f) => emptyData(f.type)) });
  const file = RecordBatchFileWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const schemaEnd = 16 + view.getInt32(12, true); // continuation, length, flatbuffer (no body)
  const footerBytes = view.getInt32(file.length - 10, true);
  return { schemaMessage: file.slice(8, schemaEnd), footer: file.slice(file.length - 10 - footerBytes, file.length - 10) };
}

/** A zero-length column of any type the batch writer supports (lists need an empty child). */
function emptyData(type: DataType): Data {
  if (DataType.isList(type)) return makeData({ type, length: 0, nullCount: 0, valueOffsets: new Int32Array(1), child: emptyData(type.children[0]!.type) });
  if (DataType.isUtf8(type)) return makeData({ type, length: 0, nullCount: 0, valueOffsets: new Int32Array(1), data: new Uint8Array(0) });
  return makeData({ type: type as Int32, length: 0, nullCount: 0, data: new Int32Array(0) });
}

interface BodyLayout {
  readonly out: Uint8Array;
  readonly view: DataView;
  readonly bodyStart: number;
  readonly nodes: number[];
  readonly buffers: number[];
}

/** Lay out (and, given a layout, write) one batch's body; returns its length in bytes. */
function writeBody(columns: readonly IpcColumn[], start: number, end: number, layout: BodyLayout | undefined): number {
  let at = 0;
  const node = (length: number) => layout?.nodes.push(length);
  const buffer = (bytes: number, fill?: (dst: number) => void) => {
    layout?.buffers.push(at, bytes);
    if (layout && fill) fill(layout.bodyStart + at);
    at += pad8(bytes);
  };
  const copy = (src: ArrayBufferView, from: number, bytes: number) => (dst: number) =>
    layout!.out.set(new Uint8Array(src.buffer, src.byteOffset + from, bytes), dst);
  const rebased = (offsets: Int32Array, first: number, last: number) => (dst: number) => {
    for (let i = first, base = offsets[first]!; i <= last; i++, dst += 4) layout!.view.setInt32(dst, offsets[i]! - base, true);
  };
  const rows = end - start;
  for (const column of columns) {
    node(rows);
    buffer(0); // validity: no nulls, so an empty bitmap
    if (column.kind === 'int32') buffer(4 * rows, copy(column.values, 4 * start, 4 * rows));
    else if (column.kind === 'uint8') buffer(rows, copy(column.values, start, rows));
    else if (column.kind === 'bool') buffer((rows + 7) >> 3, (dst) => packBits(column.flags, start, end, layout!.out, dst));
    else if (column.kind === 'utf8') {
      const { offsets, bytes } = column.column;
      buffer(4 * (rows + 1), rebased(offsets, start, end));
      buffer(offsets[end]! - offsets[start]!, copy(bytes, offsets[start]!, offsets[end]! - offsets[start]!));
    } else {
      const { offsets } = column;
      const [first, last] = [offsets[start]!, offsets[end]!];
      buffer(4 * (rows + 1), rebased(offsets, start, end));
      node(last - first);
      buffer(0);
      if (column.kind === 'list-int32') buffer(4 * (last - first), copy(column.values, 4 * first, 4 * (last - first)));
      else {
        const items = column.items;
        buffer(4 * (last - first + 1), rebased(items.offsets, first, last));
        buffer(items.offsets[last]! - items.offsets[first]!, copy(items.bytes, items.offsets[first]!, items.offsets[last]! - items.offsets[first]!));
      }
    }
  }
  return at;
}

function packBits(flags: Uint8Array, start: number, end: number, out: Uint8Array, dst: number): void {
  for (let p = start; p < end; p++) if (flags[p] !== 0) out[dst + ((p - start) >> 3)]! |= 1 << ((p - start) & 7);
}

/**
 * The encapsulated RecordBatch message header: continuation, length, then a flatbuffer laid out
 * front to back (root → Message table → RecordBatch table → nodes → buffers), every int64 8-aligned.
 */
function writeBatchHeader(view: DataView, pos: number, headerBytes: number, rows: number, nodes: readonly number[], buffers: readonly number[], bodyBytes: number): void {
  view.setUint32(pos, CONTINUATION, true);
  view.setInt32(pos + 4, headerBytes, true);
  const fb = pos + 8;
  const u16s = (at: number, values: number[]) => values.forEach((v, i) => view.setUint16(fb + at + 2 * i, v, true));
  view.setUint32(fb, 16, true); // root → Message table at 16
  u16s(4, [12, 24, 4, 6, 8, 16]); // Message vtable: size, table size, version, header_type, header, bodyLength
  view.setInt32(fb + 16, 16 - 4, true);
  view.setInt16(fb + 20, 4, true); // MetadataVersion V5
  view.setUint8(fb + 22, 3); // MessageHeader.RecordBatch
  view.setUint32(fb + 24, 56 - 24, true); // header → RecordBatch table at 56
  writeU53(view, fb + 32, bodyBytes);
  u16s(40, [10, 24, 8, 16, 20]); // RecordBatch vtable: size, table size, length, nodes, buffers
  view.setInt32(fb + 56, 56 - 40, true);
  writeU53(view, fb + 64, rows);
  const buffersAt = 88 + 16 * (nodes.length) + 4;
  view.setUint32(fb + 72, 84 - 72, true);
  view.setUint32(fb + 76, buffersAt - 76, true);
  view.setInt32(fb + 84, nodes.length, true);
  nodes.forEach((length, i) => writeU53(view, fb + 88 + 16 * i, length)); // null_count stays 0
  view.setInt32(fb + buffersAt, buffers.length / 2, true);
  for (let i = 0; i < buffers.length; i++) writeU53(view, fb + buffersAt + 4 + 8 * i, buffers[i]!);
}

/** arrow-js's footer with its recordBatches field pointed at a Block vector appended to it. */
function writeFooter(out: Uint8Array, view: DataView, pos: number, footer: Uint8Array, vectorAt: number, blocks: Float64Array, headerBytes: number, bodies: Float64Array): void {
  out.set(footer, pos);
  const fields = new FlatBufferReader(view, 'footer template');
  const recordBatchesField = fields.field(fields.deref(pos), 3);
  view.setUint32(recordBatchesField, pos + vectorAt - recordBatchesField, true);
  view.setInt32(pos + vectorAt, blocks.length, true);
  for (let k = 0; k < blocks.length; k++) {
    const block = pos + vectorAt + 4 + 24 * k;
    writeU53(view, block, blocks[k]!);
    view.setInt32(block + 8, 8 + headerBytes, true);
    writeU53(view, block + 16, bodies[k]!);
  }
}
