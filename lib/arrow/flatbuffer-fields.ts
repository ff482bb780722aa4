/**
 * Just enough FlatBuffers to read and write Arrow IPC record-batch headers and file footers by
 * hand (the shard codec writes millions of tiny batches; arrow-js spends ~0.5 ms on each). Offsets
 * follow the FlatBuffers layout: a table starts with an int32 back-offset to its vtable, whose
 * uint16 entries give each field's position inside the table (0 = absent, default value).
 */
import { CorruptArtifactError } from '../core/errors.js';

/** A bounds-checked little-endian view over one flatbuffer inside a file. */
export class FlatBufferReader {
  constructor(
    readonly view: DataView,
    readonly where: string,
  ) {}

  private check(pos: number, size: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.view.byteLength) {
      throw new CorruptArtifactError(this.where, `Arrow metadata points outside the file (byte ${pos}, ${size} bytes of ${this.view.byteLength})`);
    }
  }

  u8(pos: number): number {
    this.check(pos, 1);
    return this.view.getUint8(pos);
  }

  u16(pos: number): number {
    this.check(pos, 2);
    return this.view.getUint16(pos, true);
  }

  i32(pos: number): number {
    this.check(pos, 4);
    return this.view.getInt32(pos, true);
  }

  /** A non-negative int64 that must fit in a double exactly (sizes and counts). */
  u53(pos: number): number {
    this.check(pos, 8);
    const low = this.view.getUint32(pos, true);
    const high = this.view.getInt32(pos + 4, true);
    if (high < 0 || high >= 1 << 21) throw new CorruptArtifactError(this.where, `an Arrow size at byte ${pos} is negative or beyond 2^53`);
    return high * 2 ** 32 + low;
  }

  /** The table a uoffset at `pos` points to. */
  deref(pos: number): number {
    this.check(pos, 4);
    return pos + this.view.getUint32(pos, true);
  }

  /** Position of field `id` of the table at `table`, or 0 when the field is absent. */
  field(table: number, id: number): number {
    const vtable = table - this.i32(table);
    const vtableBytes = this.u16(vtable);
    const entry = 4 + 2 * id;
    const offset = entry < vtableBytes ? this.u16(vtable + entry) : 0;
    return offset === 0 ? 0 : table + offset;
  }

  /** A vector a uoffset field points to: its element count and first element's position. */
  vector(fieldPos: number, elementBytes: number): { count: number; start: number } {
    if (fieldPos === 0) return { count: 0, start: 0 };
    const at = this.deref(fieldPos);
    const count = this.i32(at);
    if (count < 0) throw new CorruptArtifactError(this.where, `an Arrow metadata vector at byte ${at} has a negative length`);
    this.check(at + 4, count * elementBytes);
    return { count, start: at + 4 };
  }
}

/** Write a non-negative integer < 2^53 as a little-endian int64. */
export function writeU53(view: DataView, pos: number, value: number): void {
  view.setUint32(pos, value % 2 ** 32, true);
  view.setUint32(pos + 4, Math.floor(value / 2 ** 32), true);
}
