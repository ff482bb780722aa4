/**
 * Reading every record batch of an Arrow IPC file of flat columns straight from the bytes: the
 * footer's batch index, each batch's header (a few flatbuffer fields) and body buffers copied into
 * one growing typed array per column. Used where whole files are scanned (the audit reads ~10⁶
 * batches per epoch); any Arrow writer's files decode, not only ours.
 */
import { CorruptArtifactError } from '../core/errors.js';
import { FlatBufferReader } from './flatbuffer-fields.js';
import { IPC_SHAPE, type IpcColumn } from './ipc-batch-writer.js';

/** Every batch's columns concatenated, and where each batch's rows start. */
export interface ScannedIpcFile {
  readonly batchStarts: Int32Array;
  readonly columns: IpcColumn[];
}

/** A typed array that doubles when full; bytes are copied without alignment assumptions. */
class Grow<A extends Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}

  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = this.make(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }

  appendBytes(source: Uint8Array, from: number, count: number): void {
    this.reserve(count);
    const width = this.data.BYTES_PER_ELEMENT;
    new Uint8Array(this.data.buffer, this.data.byteOffset + this.length * width, count * width).set(source.subarray(from, from + count * width));
    this.length += count;
  }

  done(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

const int32s = (n: number) => new Grow(new Int32Array(n), (m) => new Int32Array(m));
const bytes = (n: number) => new Grow(new Uint8Array(n), (m) => new Uint8Array(m));

/** Accumulates one column across batches (offsets rebased onto what came before). */
interface ColumnSink {
  readonly kind: IpcColumn['kind'];
  readonly values: Grow<Int32Array> | Grow<Uint8Array>;
  readonly offsets?: Grow<Int32Array>;
  readonly items?: { offsets: Grow<Int32Array>; bytes: Grow<Uint8Array> };
}

function makeSink(kind: IpcColumn['kind']): ColumnSink {
  const offsets = () => {
    const grow = int32s(1024);
    grow.length = 1; // offsets start with a 0
    return grow;
  };
  if (kind === 'int32' || kind === 'list-int32') return { kind, values: int32s(1024), ...(kind === 'list-int32' ? { offsets: offsets() } : {}) };
  if (kind === 'utf8') return { kind, values: bytes(1024), offsets: offsets() };
  if (kind === 'list-utf8') return { kind, values: bytes(0), offsets: offsets(), items: { offsets: offsets(), bytes: bytes(1024) } };
  return { kind, values: bytes(1024) };
}

/** Decode every batch of an IPC file whose columns have the given kinds, in schema order. */
export function scanBatchedIpcFile(file: Uint8Array, kinds: readonly IpcColumn['kind'][], where: string): ScannedIpcFile {
  const fb = new FlatBufferReader(new DataView(file.buffer, file.byteOffset, file.byteLength), where);
  const footerBytes = fb.i32(file.length - 10);
  const footer = fb.deref(file.length - 10 - footerBytes);
  const blocks = fb.vector(fb.field(footer, 3), 24);
  const sinks = kinds.map(makeSink);
  const batchStarts = new Int32Array(blocks.count + 1);
  const expected = kinds.reduce((s, k) => ({ nodes: s.nodes + IPC_SHAPE[k].nodes, buffers: s.buffers + IPC_SHAPE[k].buffers }), { nodes: 0, buffers: 0 });
  for (let k = 0; k < blocks.count; k++) {
    const block = blocks.start + 24 * k;
    const batch = readBatchHeader(fb, fb.u53(block), fb.i32(block + 8), fb.u53(block + 16), expected, `${where} record batch ${k}`);
    let node = 0;
    let buffer = 0;
    const nextNode = () => {
      const at = batch.nodes + 16 * node++;
      if (fb.u53(at + 8) !== 0) throw new CorruptArtifactError(where, `record batch ${k} has nulls; the format has none`);
      return fb.u53(at);
    };
    const nextBuffer = () => {
      const at = batch.buffers + 16 * buffer++;
      const [offset, length] = [fb.u53(at), fb.u53(at + 8)];
      if (offset + length > batch.bodyBytes) throw new CorruptArtifactError(where, `record batch ${k} has a buffer past its body`);
      return { start: batch.body + offset, length };
    };
    for (const sink of sinks) readColumn(file, fb, sink, batch.rows, nextNode, nextBuffer, `${where} record batch ${k}`);
    batchStarts[k + 1] = batchStarts[k]! + batch.rows;
  }
  return { batchStarts, columns: sinks.map(finishSink) };
}

/** A record batch message's header: its row count, and where its nodes, buffers and body are. */
function readBatchHeader(fb: FlatBufferReader, offset: number, metadataBytes: number, bodyBytes: number, expected: { nodes: number; buffers: number }, where: string) {
  // Since Arrow 0.15 a message starts with 0xFFFFFFFF then its length; before, with the length.
  const flatbuffer = fb.i32(offset) === -1 ? offset + 8 : offset + 4;
  const message = fb.deref(flatbuffer);
  const headerType = fb.field(message, 1);
  if (headerType === 0 || fb.u8(headerType) !== 3) throw new CorruptArtifactError(where, 'is not a RecordBatch message (dictionary batches are not part of this format)');
  const batch = fb.deref(fb.field(message, 2));
  if (fb.field(batch, 3) !== 0) throw new CorruptArtifactError(where, 'is compressed; this format is uncompressed');
  const lengthField = fb.field(batch, 0);
  const nodes = fb.vector(fb.field(batch, 1), 16);
  const buffers = fb.vector(fb.field(batch, 2), 16);
  if (nodes.count !== expected.nodes || buffers.count !== expected.buffers) {
    throw new CorruptArtifactError(where, `has ${nodes.count} field nodes and ${buffers.count} buffers; the schema needs ${expected.nodes} and ${expected.buffers}`);
  }
  const body = offset + metadataBytes;
  if (body + bodyBytes > fb.view.byteLength) throw new CorruptArtifactError(where, `has a body past the end of the file (truncated?)`);
  return { rows: lengthField === 0 ? 0 : fb.u53(lengthField), nodes: nodes.start, buffers: buffers.start, body, bodyBytes };
}

type Buffer = { start: number; length: number };

function readColumn(file: Uint8Array, fb: FlatBufferReader, sink: ColumnSink, rows: number, nextNode: () => number, nextBuffer: () => Buffer, where: string): void {
  if (nextNode() !== rows) throw new CorruptArtifactError(where, 'has a column whose length differs from the batch length');
  nextBuffer(); // validity: ignored, there are no nulls
  const need = (buffer: Buffer, bytesNeeded: number) => {
    if (buffer.length < bytesNeeded) throw new CorruptArtifactError(where, `has a ${buffer.length}-byte buffer where ${bytesNeeded} bytes are needed`);
    return buffer;
  };
  if (sink.kind === 'int32') sink.values.appendBytes(file, need(nextBuffer(), 4 * rows).start, rows);
  else if (sink.kind === 'uint8') sink.values.appendBytes(file, need(nextBuffer(), rows).start, rows);
  else if (sink.kind === 'bool') unpackBits(file, need(nextBuffer(), (rows + 7) >> 3).start, rows, sink.values as Grow<Uint8Array>);
  else if (sink.kind === 'utf8') {
    const span = appendOffsets(fb, need(nextBuffer(), 4 * (rows + 1)).start, rows, sink.offsets!, where);
    sink.values.appendBytes(file, need(nextBuffer(), span.last).start + span.first, span.last - span.first);
  } else {
    const span = appendOffsets(fb, need(nextBuffer(), 4 * (rows + 1)).start, rows, sink.offsets!, where);
    const childRows = nextNode();
    if (span.last > childRows) throw new CorruptArtifactError(where, `has list offsets up to ${span.last} over ${childRows} values`);
    nextBuffer();
    if (sink.kind === 'list-int32') sink.values.appendBytes(file, need(nextBuffer(), 4 * span.last).start + 4 * span.first, span.last - span.first);
    else {
      const itemOffsets = need(nextBuffer(), 4 * (childRows + 1)).start;
      const items = appendOffsets(fb, itemOffsets + 4 * span.first, span.last - span.first, sink.items!.offsets, where);
      sink.items!.bytes.appendBytes(file, need(nextBuffer(), items.last).start + items.first, items.last - items.first);
    }
  }
}

/** Append rows' offsets rebased onto the sink's last offset; returns the batch's first and last offset. */
function appendOffsets(fb: FlatBufferReader, at: number, rows: number, sink: Grow<Int32Array>, where: string): { first: number; last: number } {
  sink.reserve(rows);
  const first = fb.i32(at);
  const base = sink.data[sink.length - 1]! - first;
  let previous = first;
  for (let i = 1; i <= rows; i++) {
    const offset = fb.i32(at + 4 * i);
    if (offset < previous) throw new CorruptArtifactError(where, 'has decreasing offsets');
    sink.data[sink.length++] = offset + base;
    previous = offset;
  }
  if (first < 0) throw new CorruptArtifactError(where, 'has negative offsets');
  return { first, last: previous };
}

function unpackBits(file: Uint8Array, at: number, rows: number, sink: Grow<Uint8Array>): void {
  sink.reserve(rows);
  for (let i = 0; i < rows; i++) sink.data[sink.length++] = (file[at + (i >> 3)]! >> (i & 7)) & 1;
}

function finishSink(sink: ColumnSink): IpcColumn {
  const offsets = sink.offsets?.done();
  switch (sink.kind) {
    case 'int32': return { kind: 'int32', values: (sink.values as Grow<Int32Array>).done() };
    case 'uint8': return { kind: 'uint8', values: (sink.values as Grow<Uint8Array>).done() };
    case 'bool': return { kind: 'bool', flags: (sink.values as Grow<Uint8Array>).done() };
    case 'utf8': return { kind: 'utf8', column: { offsets: offsets!, bytes: (sink.values as Grow<Uint8Array>).done() } };
    case 'list-int32': return { kind: 'list-int32', offsets: offsets!, values: (sink.values as Grow<Int32Array>).done() };
    case 'list-utf8': return { kind: 'list-utf8', offsets: offsets!, items: { offsets: sink.items!.offsets.done(), bytes: sink.items!.bytes.done() } };
  }
}
