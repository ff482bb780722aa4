/**
 * The columnar result of encoding many conversations: every sample's ids and labels concatenated
 * in two Int32Arrays with offsets — no per-token objects, ready for Arrow columns.
 */

/** Bits of `EncodedBatch.flags`. */
export const SampleFlag = {
  /** LLaVA v1's "tokenization mismatch": the whole sample is masked (see `warnings`). */
  TokenizationMismatch: 1,
  /** Ids were cut at maxLength. */
  Truncated: 2,
  /** No label is trainable (XTuner drops such samples; we keep and flag them). */
  NoTrainableTokens: 4,
  /** One part of a document split at maxLength. */
  SplitPart: 8,
} as const;

/** A sample-level finding worth reporting (the upstream code prints it and carries on). */
export interface TemplateWarning {
  /** Output sample index. */
  readonly sample: number;
  /** Conversation id. */
  readonly id: string;
  readonly message: string;
}

/** Many encoded samples, columnar. Sample i is `[offsets[i], offsets[i+1])` of both arrays. */
export interface EncodedBatch {
  /** Versioned id of the template (documents: also the document rule) that produced the batch. */
  readonly templateId: string;
  readonly inputIds: Int32Array;
  /** Same length as inputIds: the id where trainable, else IGNORE_LABEL. */
  readonly labels: Int32Array;
  /** sampleCount + 1 offsets into inputIds/labels. */
  readonly offsets: Int32Array;
  /** For each output sample, the index of the input conversation (split documents repeat it). */
  readonly sourceIndex: Int32Array;
  /** For each output sample, SampleFlag bits. */
  readonly flags: Uint8Array;
  readonly warnings: readonly TemplateWarning[];
}

/** Accumulates samples into growing typed arrays. */
export class EncodedBatchBuilder {
  private ids: Int32Array<ArrayBuffer>;
  private labels: Int32Array<ArrayBuffer>;
  private length = 0;
  private readonly offsets: number[] = [0];
  private readonly sources: number[] = [];
  private readonly flags: number[] = [];
  private readonly warnings: TemplateWarning[] = [];

  /** `expectedTokens`: the capacity to start with (a good guess spares regrowing and copying). */
  constructor(expectedTokens = 1024) {
    this.ids = new Int32Array(Math.max(expectedTokens, 16));
    this.labels = new Int32Array(Math.max(expectedTokens, 16));
  }

  /** Append one sample; returns its output index. */
  add(inputIds: Int32Array, labels: Int32Array, source: number, flags: number): number {
    const start = this.reserveRoom(inputIds.length);
    this.ids.set(inputIds, start);
    this.labels.set(labels, start);
    return this.commitSample(inputIds.length, source, flags);
  }

  /**
   * Room for the next `length` positions; returns where they start in `idsBuffer`/`labelsBuffer`
   * (valid until the next reservation). Writing a sample there and committing it spares the copy
   * of `add` on the hot path.
   */
  reserveRoom(length: number): number {
    this.reserve(length);
    return this.length;
  }

  /** The growing ids array (see `reserveRoom`). */
  get idsBuffer(): Int32Array {
    return this.ids;
  }

  /** The growing labels array (see `reserveRoom`). */
  get labelsBuffer(): Int32Array {
    return this.labels;
  }

  /** Record the sample written into the last reserved room; returns its output index. */
  commitSample(length: number, source: number, flags: number): number {
    this.length += length;
    this.offsets.push(this.length);
    this.sources.push(source);
    this.flags.push(flags);
    return this.sources.length - 1;
  }

  /** Record a warning about an output sample. */
  warn(warning: TemplateWarning): void {
    this.warnings.push(warning);
  }

  /** The finished batch (views of the filled part: no copy; the builder must not be reused). */
  finish(templateId: string): EncodedBatch {
    return {
      templateId,
      inputIds: this.ids.subarray(0, this.length),
      labels: this.labels.subarray(0, this.length),
      offsets: Int32Array.from(this.offsets),
      sourceIndex: Int32Array.from(this.sources),
      flags: Uint8Array.from(this.flags),
      warnings: this.warnings,
    };
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.ids.length) return;
    const capacity = Math.max(this.ids.length * 2, this.length + extra);
    const grow = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const next = new Int32Array(capacity);
      next.set(old.subarray(0, this.length));
      return next;
    };
    this.ids = grow(this.ids);
    this.labels = grow(this.labels);
  }
}

/** Sample i of a batch as views (no copy). */
export function sampleOf(batch: EncodedBatch, i: number): { inputIds: Int32Array; labels: Int32Array } {
  const start = batch.offsets[i]!;
  const end = batch.offsets[i + 1]!;
  return { inputIds: batch.inputIds.subarray(start, end), labels: batch.labels.subarray(start, end) };
}
