/**
 * Inside a container element of unknown depth d, the array scanner only counts brackets outside
 * strings until the depth returns to 0. Counting relative to the block's first byte (r starts at
 * 0) answers every d at once: the element of depth d ends just after the byte where r first
 * reaches −d. Strings and escapes are tracked exactly as JsonArrayScanner does inside an element.
 */

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d;

/** Called when a container of depth `depth` (at the block start) would close: its element ends at `end`. */
export type OnContainerEnd = (depth: number, end: number) => void;

/** Streaming relative-depth counter from a given string state; feed contiguous windows. */
export class RelativeDepthScan {
  /** Bracket depth relative to the start: the change so far. */
  private change = 0;
  /** The lowest `change` so far: containers of depth ≤ −lowest have ended. */
  private lowest = 0;

  constructor(
    private inString: boolean,
    private escaped: boolean,
  ) {}

  /** Depth change over everything pushed. */
  get depthChange(): number {
    return this.change;
  }

  /** The deepest starting depth whose element ended in what was pushed. */
  get endedDepths(): number {
    return -this.lowest;
  }

  /** String state after everything pushed: where a container that did not end stands. */
  get endsInString(): boolean {
    return this.inString;
  }

  get endsEscaped(): boolean {
    return this.escaped;
  }

  /** Scan a window whose first byte is at absolute offset `base`; the hot loop mirrors JsonArrayScanner.scanElement. */
  push(bytes: Uint8Array, base: number, onEnd: OnContainerEnd): void {
    const n = bytes.length;
    let i = 0,
      change = this.change,
      lowest = this.lowest,
      inString = this.inString;
    if (this.escaped && n > 0) {
      this.escaped = false;
      i++;
    }
    while (i < n) {
      if (inString) {
        for (; i < n; i++) {
          const b = bytes[i]!;
          if (b === QUOTE) break;
          if (b === BACKSLASH) i++;
        }
        if (i >= n) {
          this.escaped = i > n;
          break;
        }
        inString = false;
        i++;
        continue;
      }
      for (; i < n; i++) {
        const b = bytes[i]!;
        if (b === QUOTE) {
          inString = true;
          i++;
          break;
        }
        if (b === LBRACE || b === LBRACKET) change++;
        else if ((b === RBRACE || b === RBRACKET) && --change < lowest) {
          lowest = change;
          onEnd(-change, base + i + 1);
        }
      }
    }
    this.change = change;
    this.lowest = lowest;
    this.inString = inString;
  }
}
