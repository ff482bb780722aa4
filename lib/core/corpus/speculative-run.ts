/**
 * One guess at the state a block starts in, scanned with the real JsonArrayScanner. A run records
 * the record starts it finds until it starts a record that another run already started: from that
 * byte on both are in the same state, so it stops and takes the other run's tail. A whole-file
 * error is the run's outcome, not an exception: the guess may simply be wrong.
 */
import { InvalidInputError } from '../errors.js';
import { JsonArrayScanner, type ScannerState, type ScanSink } from './json-array-scanner.js';

/** Thrown by a sink to stop a run at the record start where it joins another run. */
const JOINED = Symbol('joined');

/** Record starts in ascending order, with whether each is a chunk boundary. */
class RecordStarts {
  offsets = new Float64Array(64);
  boundary = new Uint8Array(64);
  length = 0;

  add(offset: number, isBoundary: boolean): void {
    if (this.length === this.offsets.length) {
      const offsets = new Float64Array(this.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const boundary = new Uint8Array(this.length * 2);
      boundary.set(this.boundary);
      this.boundary = boundary;
    }
    this.offsets[this.length] = offset;
    this.boundary[this.length++] = isBoundary ? 1 : 0;
  }

  /** Index of the first start > offset. */
  firstAfter(offset: number): number {
    let lo = 0,
      hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(offset: number): boolean {
    if (this.length === 0 || offset < this.offsets[0]! || offset > this.offsets[this.length - 1]!) return false;
    const k = this.firstAfter(offset) - 1;
    return k >= 0 && this.offsets[k] === offset;
  }
}

/** The runs of one block, as a run sees them. */
export interface RunRegistry {
  /** The run (if any) that already started a record at `offset`. */
  ownerOf(offset: number, asker: SpeculativeRun): SpeculativeRun | undefined;
  /** `owner` recorded its first record start. */
  claimedFirst(owner: SpeculativeRun): void;
}

/** A scanner started in a guessed state, and what it found. */
export class SpeculativeRun {
  readonly starts = new RecordStarts();
  /** Bytes consumed up to here (absolute). */
  position: number;
  joined: { readonly into: SpeculativeRun; readonly at: number; readonly isBoundary: boolean } | undefined;
  fatal: string | undefined;
  end: ScannerState | undefined;
  private readonly scanner: JsonArrayScanner;
  private readonly sink: ScanSink;

  constructor(sourceName: string, offset: number, state: ScannerState, registry: RunRegistry) {
    this.position = offset;
    this.scanner = JsonArrayScanner.resume(sourceName, offset, state);
    this.sink = {
      span: () => undefined,
      recordStart: (at, isBoundary) => {
        const owner = registry.ownerOf(at, this);
        if (owner === undefined) {
          this.starts.add(at, isBoundary);
          if (this.starts.length === 1) registry.claimedFirst(this);
          return;
        }
        this.joined = { into: owner, at, isBoundary };
        throw JOINED;
      },
    };
  }

  get active(): boolean {
    return this.joined === undefined && this.fatal === undefined;
  }

  /** Scan the part of a window (first byte at `base`) this run has not consumed yet. */
  push(window: Uint8Array, base: number): void {
    if (!this.active || this.position >= base + window.length) return;
    try {
      this.scanner.push(window.subarray(this.position - base), this.sink);
      this.position = base + window.length;
    } catch (error) {
      if (error === JOINED) return;
      if (!(error instanceof InvalidInputError)) throw error;
      this.fatal = error.message.slice(error.field.length + 2); // the message without "<source>: "
    }
  }

  /** The block ends: an active run's state there is its outcome. */
  close(): void {
    if (this.active) this.end = this.scanner.state();
  }

  /** The run this one's outcome is: itself, or the last run of its join chain. */
  terminal(): SpeculativeRun {
    let run: SpeculativeRun = this;
    while (run.joined !== undefined) run = run.joined.into;
    return run;
  }

  /** Every boundary of this run, own and inherited through joins, ascending. */
  *boundaries(): Generator<number> {
    let run: SpeculativeRun = this,
      after = -1;
    for (;;) {
      const { offsets, boundary, length } = run.starts;
      for (let k = run.starts.firstAfter(after); k < length; k++) if (boundary[k] === 1) yield offsets[k]!;
      const joined = run.joined;
      if (joined === undefined) return;
      if (joined.at > after && joined.isBoundary) yield joined.at;
      after = Math.max(after, joined.at);
      run = joined.into;
    }
  }
}
