/**
 * The texts of one encode call, deduplicated: equal text → equal ids, so each text is encoded once
 * and samples refer to it by slot. Constants come pre-encoded and shared across calls.
 *
 * With proved space seams (space-seam-cut.ts) a new text is cut into words, and only words the
 * table has not seen go to the engine; the text's slot is then a composite whose ids are its
 * words' ids concatenated (copied word by word where a sample is written). The same text always
 * gets the same slot, and its ids never depend on whether or how it was cut.
 *
 * With a non-legacy map (non-legacy-prefix.ts) a text that follows a special token gets a slot of
 * its own, derived from the text's slot: the same ids with the first one mapped, built once when
 * first read (the text itself is encoded, cut and shared as usual).
 */
import { DROPPED_PIECE, strippedFirstId, type NonLegacyPrefix } from '../tokenize/non-legacy-prefix.js';
import type { SpaceSeams } from '../tokenize/space-seams.js';
import { spaceSeamWords } from './space-seam-cut.js';
import { WordIndex } from './word-index.js';

/** `partsStart` of a slot derived from another (see slotAfterSpecial). */
const DERIVED = -2;

/** Texts queued for encoding since the last take, with their slots. */
export interface PendingTexts {
  readonly texts: readonly string[];
  readonly slots: readonly number[];
}

/** Texts → slots → ids; texts queue up until taken, and a slot is read only after its set is filled. */
export class TextTable {
  /** Every text asked for → its slot. */
  private readonly slots = new Map<string, number>();
  /** Every text encoded on its own (uncut texts, words, constants) → its slot. */
  private readonly units = new WordIndex();
  /** Per slot: its ids (undefined for a composite). */
  private readonly encoded: (Int32Array | undefined)[] = [];
  /**
   * Per slot: where its parts start in `pool` (−1 for a unit) and how many there are. A part is a
   * word's slot (≥ 0) or a literal id (−1 − id). One pool, not an array per text: a batch has
   * hundreds of thousands of texts.
   */
  private readonly partsStart: number[] = [];
  private readonly partsCount: number[] = [];
  private pool = new Int32Array(1 << 16);
  private poolLength = 0;
  private pending: string[] = [];
  private pendingSlots: number[] = [];
  private readonly bounds: number[] = [];
  private readonly queueText = (text: string): number => this.queue(text);
  /** Texts that follow a special token → their derived slots (only with a non-legacy map). */
  private readonly afterSpecialSlots = new Map<string, number>();

  /**
   * `seams`: cut new texts into words (null: every text is encoded whole). `nonLegacy`: encode text
   * after a special token the non-legacy way (null: like any text).
   */
  constructor(
    constants: ReadonlyMap<string, Int32Array>,
    private readonly seams: SpaceSeams | null = null,
    private readonly nonLegacy: NonLegacyPrefix | null = null,
  ) {
    for (const [text, ids] of constants) {
      const slot = this.push(ids, -1, 0);
      this.slots.set(text, slot);
      this.units.lookupOrAdd(text, 0, text.length, () => slot);
    }
  }

  /** The slot of a text, queued for encoding (or cut into queued words) on first sight. */
  slot(text: string): number {
    let slot = this.slots.get(text);
    if (slot !== undefined) return slot;
    const bounds = this.bounds;
    const words = this.seams === null ? 0 : spaceSeamWords(text, this.seams, bounds);
    if (words === 0) {
      slot = this.units.lookupOrAdd(text, 0, text.length, this.queueText);
    } else {
      if (this.poolLength + words > this.pool.length) this.growPool(words);
      const first = this.poolLength;
      for (let k = 0; k < words; k++) {
        const start = bounds[2 * k]!;
        this.pool[first + k] = start === text.length ? -1 - this.seams!.spaceId : this.units.lookupOrAdd(text, start, bounds[2 * k + 1]!, this.queueText);
      }
      this.poolLength += words;
      slot = this.push(undefined, first, words);
    }
    this.slots.set(text, slot);
    return slot;
  }

  /**
   * The slot of a text that directly follows a special token in one tokenizer call. Without a
   * non-legacy map, or when the text starts with a space or `▁` (transformers leaves those
   * alone), that is its ordinary slot.
   */
  slotAfterSpecial(text: string): number {
    if (this.nonLegacy === null || text.startsWith(' ') || text.startsWith('▁')) return this.slot(text);
    let slot = this.afterSpecialSlots.get(text);
    if (slot === undefined) {
      // partsStart −2 marks a derived slot; partsCount holds the slot it derives from.
      slot = this.push(undefined, DERIVED, this.slot(text));
      this.afterSpecialSlots.set(text, slot);
    }
    return slot;
  }

  /** The texts queued since the last take, in slot order (the queue starts empty again). */
  takePending(): PendingTexts {
    const taken = { texts: this.pending, slots: this.pendingSlots };
    this.pending = [];
    this.pendingSlots = [];
    return taken;
  }

  /** Store the encodings of a taken set, in its order. */
  fill(taken: PendingTexts, encodings: readonly Int32Array[]): void {
    taken.slots.forEach((slot, i) => (this.encoded[slot] = encodings[i]));
  }

  /**
   * Copy a slot's ids into `target` from `at`, stopping at `limit`; returns the position after
   * them. A composite is copied word by word, never built: samples are written this way.
   */
  copyIds(slot: number, target: Int32Array, at: number, limit = target.length): number {
    const ids = this.encoded[slot] ?? this.derive(slot);
    if (ids !== undefined) {
      const count = Math.min(ids.length, limit - at);
      target.set(count === ids.length ? ids : ids.subarray(0, count), at);
      return at + count;
    }
    const end = this.partsStart[slot]! + this.partsCount[slot]!;
    for (let p = this.partsStart[slot]!; p < end && at < limit; p++) {
      const part = this.pool[p]!;
      if (part < 0) {
        target[at++] = -1 - part;
        continue;
      }
      // Words are a few ids long: a loop beats TypedArray.set's per-call cost.
      const word = this.encoded[part]!;
      for (let i = 0; i < word.length && at < limit; i++) target[at++] = word[i]!;
    }
    return at;
  }

  /** Number of ids of a slot (a composite: the sum of its parts). */
  length(slot: number): number {
    const ids = this.encoded[slot] ?? this.derive(slot);
    if (ids !== undefined) return ids.length;
    let length = 0;
    const end = this.partsStart[slot]! + this.partsCount[slot]!;
    for (let p = this.partsStart[slot]!; p < end; p++) {
      const part = this.pool[p]!;
      length += part >= 0 ? this.encoded[part]!.length : 1;
    }
    return length;
  }

  /** A derived slot's ids, built on first read (its source is filled by then); undefined otherwise. */
  private derive(slot: number): Int32Array | undefined {
    if (this.partsStart[slot] !== DERIVED) return undefined;
    const source = this.partsCount[slot]!;
    const ids = new Int32Array(this.length(source));
    this.copyIds(source, ids, 0);
    let derived = ids;
    if (ids.length > 0) {
      const first = strippedFirstId(this.nonLegacy!, ids[0]!);
      if (first === DROPPED_PIECE) derived = ids.subarray(1);
      else ids[0] = first;
    }
    this.encoded[slot] = derived;
    return derived;
  }

  private queue(text: string): number {
    const slot = this.push(undefined, -1, 0);
    this.pending.push(text);
    this.pendingSlots.push(slot);
    return slot;
  }

  private push(ids: Int32Array | undefined, partsStart: number, partsCount: number): number {
    this.encoded.push(ids);
    this.partsStart.push(partsStart);
    this.partsCount.push(partsCount);
    return this.encoded.length - 1;
  }

  private growPool(extra: number): void {
    const pool = new Int32Array(Math.max(this.pool.length * 2, this.poolLength + extra));
    pool.set(this.pool.subarray(0, this.poolLength));
    this.pool = pool;
  }
}
