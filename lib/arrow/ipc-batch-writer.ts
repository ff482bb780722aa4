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
  int32: { nodes: 1, buffers: 2 },
  uint8: { nodes: 1, buffers: 2 },
  bool: { nodes: 1, buffers: 2 },
  utf8: { nodes: 1, buffers: 3 },
  'list-int32': { nodes: 2, buffers: 4 },
  'list-utf8': { nodes: 2, buffers: 5 },
};

const CONTINUATION = 0xffffffff;
const MAGIC = new TextEncoder().encode('ARROW1');
const pad8 = (n: number) => (n + 7) & ~7;

/**
 * Encode `rows` rows as record batches of `batchRows` rows (the last may be shorter), or — given
 * batches + 1 row offsets — batch k holding rows [batchRows[k], batchRows[k+1]) (packed shards,
 * whose steps have a variable number of rows).
 */
export function encodeBatchedIpcFile(schema: Schema, columns: readonly IpcColumn[], rows: number, batchRows: number | ArrayLike<number>): Uint8Array {
  const starts = typeof batchRows === 'number' ? fixedBatchStarts(rows, batchRows) : batchRows;
  const { schemaMessage, footer } = arrowJsTemplate(schema);
  const shape = columns.reduce((s, c) => ({ nodes: s.nodes + IPC_SHAPE[c.kind].nodes, buffers: s.buffers + IPC_SHAPE[c.kind].buffers }), {
    nodes: 0,
    buffers: 0,
  });
  const template = batchHeaderTemplate(shape.nodes, shape.buffers);
  const headerBytes = template.length - 8;
  const batches = starts.length - 1;
  const bodies = new Float64Array(batches);
  const sources = sourceBytes(columns);
  const measure = new BodyWriter(shape);
  let size = 8 + schemaMessage.length;
  for (let k = 0; k < batches; k++) {
    measure.reset(0);
    bodies[k] = writeBody(columns, sources, starts[k]!, starts[k + 1]!, measure);
    size += 8 + headerBytes + bodies[k]!;
  }
  const footerVectorAt = pad8(footer.length + 4) - 4;
  const footerBytes = footerVectorAt + 4 + 24 * batches;
  const out = new Uint8Array(size + 8 + footerBytes + 4 + MAGIC.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out.set(schemaMessage, 8);
  const blocks = new Float64Array(batches);
  const body = new BodyWriter(shape, { bytes: out, view });
  let pos = 8 + schemaMessage.length;
  for (let k = 0; k < batches; k++) {
    blocks[k] = pos;
    body.reset(pos + 8 + headerBytes);
    writeBody(columns, sources, starts[k]!, starts[k + 1]!, body);
    writeBatchHeader(out, view, pos, template, starts[k + 1]! - starts[k]!, body, bodies[k]!);
    pos += 8 + headerBytes + bodies[k]!;
  }
  view.setUint32(pos, CONTINUATION, true); // end-of-stream marker, as arrow-js and pyarrow write before the footer
  pos += 8;
  writeFooter(out, view, pos, footer, footerVectorAt, blocks, headerBytes, bodies);
  view.setInt32(pos + footerBytes, footerBytes, true);
  out.set(MAGIC, pos + footerBytes + 4);
  return out;
}

/** Offsets of batches of `batchRows` rows, the last possibly shorter. */
function fixedBatchStarts(rows: number, batchRows: number): Float64Array {
  const batches = Math.ceil(rows / batchRows);
  const starts = new Float64Array(batches + 1);
  for (let k = 0; k < batches; k++) starts[k + 1] = Math.min(rows, (k + 1) * batchRows);
  return starts;
}

/**
 * Templates by schema object: writers of many small files of one schema (routed sections) pass the
 * same Schema and pay arrow-js's writer once, not once per file.
 */
const TEMPLATES = new WeakMap<Schema, { schemaMessage: Uint8Array; footer: Uint8Array }>();

/** The schema message and footer arrow-js writes for a file holding one empty batch. */
function arrowJsTemplate(schema: Schema): { schemaMessage: Uint8Array; footer: Uint8Array } {
  const cached = TEMPLATES.get(schema);
  if (cached !== undefined) return cached;
  const template = writeArrowJsTemplate(schema);
  TEMPLATES.set(schema, template);
  return template;
}

function writeArrowJsTemplate(schema: Schema): { schemaMessage: Uint8Array; footer: Uint8Array } {
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

/** Bytes of a typed array (a view, made once per file rather than once per batch). */
const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * Lays out one batch's body and, when given an output, writes it: field nodes and buffer regions
 * are recorded for the header. One object serves every batch (no per-batch closures).
 */
class BodyWriter {
  at = 0;
  nodeCount = 0;
  bufferCount = 0;
  readonly nodes: Float64Array;
  readonly buffers: Float64Array;
  private start = 0;
  constructor(
    shape: { nodes: number; buffers: number },
    private readonly out?: { bytes: Uint8Array; view: DataView },
  ) {
    this.nodes = new Float64Array(shape.nodes);
    this.buffers = new Float64Array(2 * shape.buffers);
  }

  reset(bodyStart: number): void {
    [this.start, this.at, this.nodeCount, this.bufferCount] = [bodyStart, 0, 0, 0];
  }

  node(length: number): void {
    this.nodes[this.nodeCount++] = length;
  }

  /** Record a buffer of `bytes` bytes at the current position; returns where to write it, or -1 when measuring. */
  private region(bytes: number): number {
    this.buffers[this.bufferCount++] = this.at;
    this.buffers[this.bufferCount++] = bytes;
    const dst = this.out ? this.start + this.at : -1;
    this.at += pad8(bytes);
    return dst;
  }

  empty(): void {
    this.region(0);
  }

  copy(source: Uint8Array, from: number, bytes: number): void {
    const dst = this.region(bytes);
    if (dst < 0) return;
    const out = this.out!.bytes;
    // Micro-batches are tiny: a loop beats allocating a subarray for set().
    if (bytes <= 64) for (let i = 0; i < bytes; i++) out[dst + i] = source[from + i]!;
    else out.set(source.subarray(from, from + bytes), dst);
  }

  /** Offsets [first, last] rebased to start at 0. */
  offsets(offsets: Int32Array, first: number, last: number): void {
    let dst = this.region(4 * (last - first + 1));
    if (dst < 0) return;
    const view = this.out!.view;
    for (let i = first, base = offsets[first]!; i <= last; i++, dst += 4) view.setInt32(dst, offsets[i]! - base, true);
  }

  bits(flags: Uint8Array, start: number, end: number): void {
    const dst = this.region((end - start + 7) >> 3);
    if (dst < 0) return;
    const out = this.out!.bytes;
    for (let p = start; p < end; p++) if (flags[p] !== 0) out[dst + ((p - start) >> 3)]! |= 1 << ((p - start) & 7);
  }
}

/** Lay out (and, if the writer has an output, write) one batch's body; returns its length in bytes. */
function writeBody(columns: readonly IpcColumn[], sources: readonly Uint8Array[][], start: number, end: number, body: BodyWriter): number {
  const rows = end - start;
  columns.forEach((column, c) => {
    const [values, items] = sources[c]!;
    body.node(rows);
    body.empty(); // validity: no nulls, so an empty bitmap
    if (column.kind === 'int32') body.copy(values!, 4 * start, 4 * rows);
    else if (column.kind === 'uint8') body.copy(values!, start, rows);
    else if (column.kind === 'bool') body.bits(column.flags, start, end);
    else if (column.kind === 'utf8') {
      const { offsets } = column.column;
      body.offsets(offsets, start, end);
      body.copy(values!, offsets[start]!, offsets[end]! - offsets[start]!);
    } else {
      const { offsets } = column;
      const [first, last] = [offsets[start]!, offsets[end]!];
      body.offsets(offsets, start, end);
      body.node(last - first);
      body.empty();
      if (column.kind === 'list-int32') body.copy(values!, 4 * first, 4 * (last - first));
      else {
        const itemOffsets = column.items.offsets;
        body.offsets(itemOffsets, first, last);
        body.copy(items!, itemOffsets[first]!, itemOffsets[last]! - itemOffsets[first]!);
      }
    }
  });
  return body.at;
}

/** Each column's value bytes (and item bytes for list<utf8>), viewed once. */
function sourceBytes(columns: readonly IpcColumn[]): Uint8Array[][] {
  return columns.map((column) => {
    if (column.kind === 'bool') return [];
    if (column.kind === 'utf8') return [column.column.bytes];
    if (column.kind === 'list-utf8') return [new Uint8Array(0), column.items.bytes];
    return [bytesOf(column.values)];
  });
}

/**
 * The constant part of every batch's message header: continuation and length, then a flatbuffer
 * laid out front to back (root → Message table → RecordBatch table → nodes → buffers) with every
 * int64 8-aligned. Per batch only the body length, row count, node lengths and buffer regions change.
 */
function batchHeaderTemplate(nodeCount: number, bufferCount: number): Uint8Array {
  const headerBytes = 96 + 16 * (nodeCount + bufferCount);
  const template = new Uint8Array(8 + headerBytes);
  const view = new DataView(template.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, headerBytes, true);
  const fb = 8;
  const u16s = (at: number, values: number[]) => values.forEach((v, i) => view.setUint16(fb + at + 2 * i, v, true));
  view.setUint32(fb, 16, true); // root → Message table at 16
  u16s(4, [12, 24, 4, 6, 8, 16]); // Message vtable: size, table size, version, header_type, header, bodyLength
  view.setInt32(fb + 16, 16 - 4, true);
  view.setInt16(fb + 20, 4, true); // MetadataVersion V5
  view.setUint8(fb + 22, 3); // MessageHeader.RecordBatch
  view.setUint32(fb + 24, 56 - 24, true); // header → RecordBatch table at 56
  u16s(40, [10, 24, 8, 16, 20]); // RecordBatch vtable: size, table size, length, nodes, buffers
  view.setInt32(fb + 56, 56 - 40, true);
  view.setUint32(fb + 72, 84 - 72, true); // nodes vector at 84
  view.setUint32(fb + 76, buffersVectorAt(nodeCount) - 76, true);
  view.setInt32(fb + 84, nodeCount, true);
  view.setInt32(fb + buffersVectorAt(nodeCount), bufferCount, true);
  return template;
}

/** Position of the buffers vector's length in the header flatbuffer (its elements follow, 8-aligned). */
const buffersVectorAt = (nodeCount: number) => 88 + 16 * nodeCount + 4;

/** One batch's header: the template, then its body length, rows, node lengths (no nulls) and buffer regions. */
function writeBatchHeader(out: Uint8Array, view: DataView, pos: number, template: Uint8Array, rows: number, body: BodyWriter, bodyBytes: number): void {
  out.set(template, pos);
  const fb = pos + 8;
  writeU53(view, fb + 32, bodyBytes);
  writeU53(view, fb + 64, rows);
  for (let i = 0; i < body.nodeCount; i++) writeU53(view, fb + 88 + 16 * i, body.nodes[i]!);
  const buffers = fb + buffersVectorAt(body.nodeCount) + 4;
  for (let i = 0; i < body.bufferCount; i++) writeU53(view, buffers + 8 * i, body.buffers[i]!);
}

/** arrow-js's footer with its recordBatches field pointed at a Block vector appended to it. */
function writeFooter(
  out: Uint8Array,
  view: DataView,
  pos: number,
  footer: Uint8Array,
  vectorAt: number,
  blocks: Float64Array,
  headerBytes: number,
  bodies: Float64Array,
): void {
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
