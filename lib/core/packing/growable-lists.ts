/** A growable list of int32 values (pack starts, members), doubling as it fills. */
export class Int32List {
  private values: Int32Array;
  length = 0;

  /** `capacity`: the expected length (a good guess avoids every regrowth). */
  constructor(capacity = 1024) {
    this.values = new Int32Array(Math.max(capacity, 16));
  }

  /** Append one value. */
  push(value: number): void {
    if (this.length === this.values.length) this.values = doubled(this.values);
    this.values[this.length++] = value;
  }

  /** The value at `index` (< length). */
  at(index: number): number {
    return this.values[index]!;
  }

  /** The values pushed so far, as a trimmed copy. */
  toArray(): Int32Array {
    return this.values.slice(0, this.length);
  }
}

/** A growable list of float64 values (pack costs). */
export class Float64List {
  private values: Float64Array;
  length = 0;

  /** `capacity`: the expected length (a good guess avoids every regrowth). */
  constructor(capacity = 1024) {
    this.values = new Float64Array(Math.max(capacity, 16));
  }

  /** Append one value. */
  push(value: number): void {
    if (this.length === this.values.length) this.values = doubled(this.values);
    this.values[this.length++] = value;
  }

  /** The value at `index` (< length). */
  at(index: number): number {
    return this.values[index]!;
  }

  /** The values pushed so far, as a trimmed copy. */
  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

function doubled<T extends Int32Array | Float64Array>(values: T): T {
  const bigger = new (values.constructor as new (length: number) => T)(values.length * 2);
  bigger.set(values);
  return bigger;
}
