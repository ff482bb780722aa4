/**
 * Summarising one block of a JSON-array source for the chunk planner (json-array-block-summary.ts)
 * from the bytes HashSources reads anyway, without the bytes before the block.
 *
 * The block's start state is unknown, so every state it could be in is scanned with the real
 * scanner (a SpeculativeRun each): between records, in a scalar, in a string element, and inside
 * a container of any depth d. For the containers one relative-depth count per string state gives,
 * for every d at once, where the element would end (RelativeDepthScan); from there the guess is a
 * run between records. Runs that start a record at the same byte are in the same state from then
 * on, so all but one per "world" (string parity) stop early: the cost is about two scans of the
 * block plus the relative counts, not one scan per guess.
 */
import {
  CONTAINER_FAMILIES,
  containerState,
  JSON_ARRAY_BLOCK_SUMMARY_FORMAT,
  START_CLASSES,
  stateOfClass,
  SUMMARY_DEPTH_CAP,
  type BlockRunAnswer,
  type ContainerFamily,
  type ContainerFamilyName,
  type JsonArrayBlockSummary,
  type StartClass,
} from './json-array-block-summary.js';
import { firstGridPoint } from './compose-json-array-starts.js';
import { RelativeDepthScan } from './relative-depth-scan.js';
import { SpeculativeRun } from './speculative-run.js';
import type { ScannerState } from './json-array-scanner.js';

const AFTER_ELEMENT = { phase: 'after-element', depth: 0, inString: false, escaped: false, scalar: false, resynced: false } as const;
const QUOTE = 0x22,
  BACKSLASH = 0x5c;

/** Where the block sits and the grid it is summarised for. */
export interface BlockSummaryOptions {
  readonly sourceName: string;
  readonly blockStart: number;
  readonly blockEnd: number;
  readonly bytesPerChunk: number;
}

interface FamilyScan {
  readonly scan: RelativeDepthScan;
  /** Run of the element of depth d + 1 after it ends. */
  readonly runs: SpeculativeRun[];
}

/** Streaming summariser: push the block's bytes in order (any window sizes), then `summary()`. */
export class JsonArrayBlockSummarizer {
  private readonly runs: SpeculativeRun[] = [];
  /** Runs that own at least one record start (the others joined at their first). */
  private readonly owners: SpeculativeRun[] = [];
  private readonly classes = new Map<StartClass, SpeculativeRun>();
  private readonly families = new Map<ContainerFamilyName, FamilyScan>();
  /** The escaped-string family equals the in-string one unless the first byte is a quote or backslash. */
  private escapedFamilyIsInString = false;
  private position: number;

  constructor(private readonly options: BlockSummaryOptions) {
    this.position = options.blockStart;
    // Block 0 starts in the one state every source starts in; later blocks in any.
    const classes: readonly StartClass[] = options.blockStart === 0 ? ['before-array'] : START_CLASSES;
    for (const name of classes) this.classes.set(name, this.startRun(options.blockStart, stateOfClass(name)));
  }

  /** The next bytes of the block. */
  push(window: Uint8Array): void {
    if (window.length === 0) return;
    const base = this.position;
    if (base === this.options.blockStart && this.options.blockStart > 0) this.startFamilies(window[0]!);
    for (const family of this.families.values()) {
      // A container of depth d ends here: from here on the guess is a run after an element.
      family.scan.push(window, base, (depth, end) => {
        if (depth <= SUMMARY_DEPTH_CAP) family.runs.push(this.startRun(end, AFTER_ELEMENT));
      });
    }
    for (const run of this.runs) run.push(window, base); // each from where it stands (a run started above: its end)
    this.position = base + window.length;
  }

  /** The summary of everything pushed (which must be the whole block). */
  summary(): JsonArrayBlockSummary {
    for (const run of this.runs) run.close();
    const answers: BlockRunAnswer[] = [];
    const indexOf = new Map<string, number>();
    const answerIndex = (run: SpeculativeRun): number => {
      const answer = this.answerOf(run);
      const key = JSON.stringify(answer);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = answers.push(answer) - 1;
        indexOf.set(key, index);
      }
      return index;
    };
    const starts = Object.fromEntries([...this.classes].map(([name, run]) => [name, answerIndex(run)]));
    const summary: JsonArrayBlockSummary = { format: JSON_ARRAY_BLOCK_SUMMARY_FORMAT, chunkBytes: this.options.bytesPerChunk, answers, starts };
    if (this.families.size === 0) return summary;
    const familyOf = (name: ContainerFamilyName): ContainerFamily => {
      const source = this.families.get(name === 'in-string-escaped' && this.escapedFamilyIsInString ? 'in-string' : name)!;
      return {
        depths: source.runs.map(answerIndex),
        endedDepths: source.scan.endedDepths,
        depthChange: source.scan.depthChange,
        endsInString: source.scan.endsInString,
        endsEscaped: source.scan.endsEscaped,
      };
    };
    const containers = Object.fromEntries(CONTAINER_FAMILIES.map((name) => [name, familyOf(name)])) as Record<ContainerFamilyName, ContainerFamily>;
    return { ...summary, containers };
  }

  private startFamilies(firstByte: number): void {
    this.escapedFamilyIsInString = firstByte !== QUOTE && firstByte !== BACKSLASH;
    const names: readonly ContainerFamilyName[] = this.escapedFamilyIsInString ? ['outside-string', 'in-string'] : CONTAINER_FAMILIES;
    for (const name of names) {
      const state = containerState(name, 1);
      this.families.set(name, { scan: new RelativeDepthScan(state.inString, state.escaped), runs: [] });
    }
  }

  private startRun(offset: number, state: ScannerState): SpeculativeRun {
    const run = new SpeculativeRun(this.options.sourceName, offset, state, {
      ownerOf: (at, asker) => this.ownerOf(at, asker),
      claimedFirst: (owner) => this.owners.push(owner),
    });
    this.runs.push(run);
    return run;
  }

  /** The run that started a record at `offset` first; only the few runs that own any are asked. */
  private ownerOf(offset: number, asker: SpeculativeRun): SpeculativeRun | undefined {
    for (const run of this.owners) if (run !== asker && run.starts.has(offset)) return run;
    return undefined;
  }

  /** A run's outcome and its cuts: the first boundary, then the first boundary at or after each grid point. */
  private answerOf(run: SpeculativeRun): BlockRunAnswer {
    const last = run.terminal();
    if (last.fatal !== undefined) return { fatal: last.fatal };
    const { blockStart, blockEnd, bytesPerChunk } = this.options;
    const cuts: number[] = [];
    let point = blockStart; // the block start first (a pending grid point of an earlier block), then the grid
    for (const at of run.boundaries()) {
      if (point >= blockEnd) break;
      if (at < point) continue;
      cuts.push(at);
      point = Math.max(firstGridPoint(blockStart, bytesPerChunk), firstGridPoint(at + 1, bytesPerChunk));
    }
    return { cuts, end: last.end! };
  }
}
