/**
 * Writing encoded samples into the batch: straight into place (label rules and truncation work on
 * the written views), with LLaVA's label rule applied and overflow handled.
 */
import type { Conversation } from '../corpus/conversation.js';
import { IGNORE_LABEL } from '../tokenize/tokenizer.js';
import { SampleFlag, type EncodedBatchBuilder } from './encoded-batch.js';
import type { LabelRule, RenderedSample } from './pieces.js';
import { assembleSample, probeLengths, programLength, writeSample, type Program, type SpecialResolver } from './piece-program.js';
import type { TextTable } from './text-table.js';
import { splitDocumentSample } from './split-document.js';
import { truncateSample } from './truncate.js';

/** What emitting needs from the encoder. */
export interface EmitContext {
  readonly resolver: SpecialResolver;
  readonly options: {
    readonly maxLength?: number | undefined;
    readonly overflow?: 'truncate' | 'split' | undefined;
    readonly imageTokens?: ((conversation: Conversation, imageIndex: number) => number) | undefined;
  };
  /** The tokenizer's `tokenToId`, memoized: label rules ask it once per sample. */
  readonly tokenToId: (token: string) => number | null;
  /** Whether text after a special token is encoded the non-legacy way (passed to label rules). */
  readonly nonLegacyPrefix: boolean;
}

/**
 * Write one sample straight into the builder. A label rule reads the whole sample, so it is written
 * whole and truncation commits its prefix; only a document split needs a separate copy.
 */
export function emitSample(
  builder: EncodedBatchBuilder,
  conversation: Conversation,
  source: number,
  rendered: RenderedSample,
  program: Program,
  table: TextTable,
  context: EmitContext,
): void {
  const { maxLength, overflow } = context.options;
  if (conversation.kind === 'document' && overflow === 'split') {
    emitSplitParts(builder, conversation, source, rendered, program, table, context);
    return;
  }
  const length = programLength(program, table);
  const kept = maxLength === undefined ? length : Math.min(length, maxLength);
  const rule = rendered.labelRule;
  const start = builder.reserveRoom(rule === undefined ? kept : length);
  const ids = builder.idsBuffer;
  const labels = builder.labelsBuffer;
  writeSample(program, table, ids, labels, start, start + (rule === undefined ? kept : length));
  let ruled: { flags: number; warning?: string } = { flags: 0 };
  if (rule !== undefined) ruled = applyLabelRule(rule, ids.subarray(start, start + length), labels.subarray(start, start + length), program, table, context);
  const flags = ruled.flags | (kept < length ? SampleFlag.Truncated : 0) | trainableFlag(labels, start, start + kept);
  const index = builder.commitSample(kept, source, flags);
  if (ruled.warning !== undefined) builder.warn({ sample: index, id: conversation.id, message: ruled.warning });
}

/** A document in split mode: assembled whole, then stored as framed parts. */
function emitSplitParts(
  builder: EncodedBatchBuilder,
  conversation: Conversation,
  source: number,
  rendered: RenderedSample,
  program: Program,
  table: TextTable,
  context: EmitContext,
): void {
  const { inputIds, labels } = assembleSample(program, table);
  const ruled = rendered.labelRule === undefined ? { flags: 0 } : applyLabelRule(rendered.labelRule, inputIds, labels, program, table, context);
  for (const part of overflowParts(conversation, inputIds, labels, context)) {
    const index = builder.add(part.inputIds, part.labels, source, ruled.flags | part.flags | trainableFlag(part.labels, 0, part.labels.length));
    if (ruled.warning !== undefined) builder.warn({ sample: index, id: conversation.id, message: ruled.warning });
  }
}

/** Overwrite labels by the sample's label rule; a mismatch masks everything and is reported. */
function applyLabelRule(
  rule: LabelRule,
  inputIds: Int32Array,
  labels: Int32Array,
  program: Program,
  table: TextTable,
  context: EmitContext,
): { flags: number; warning?: string } {
  const verdict = rule.apply({
    inputIds,
    probeLengths: probeLengths(program, table),
    hasBos: context.resolver.resolve('bos') !== null,
    tokenToId: context.tokenToId,
    maxLength: context.options.maxLength,
    nonLegacyPrefix: context.nonLegacyPrefix,
  });
  if (!verdict.ok) {
    labels.fill(IGNORE_LABEL);
    const warning = `tokenization mismatch: ${verdict.expectedLength} vs. ${verdict.actualLength}; whole sample masked, as LLaVA does`;
    return { flags: SampleFlag.TokenizationMismatch, warning };
  }
  for (let i = 0; i < labels.length; i++) labels[i] = verdict.trainable[i] === 1 ? inputIds[i]! : IGNORE_LABEL;
  return { flags: 0 };
}

/** A stored sample with the flags its overflow handling earned. */
interface StoredPart {
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
  readonly flags: number;
}

/** The sample as stored: truncated, or (documents in split mode) split into framed parts. */
function overflowParts(conversation: Conversation, inputIds: Int32Array, labels: Int32Array, context: EmitContext): StoredPart[] {
  const { maxLength, overflow, imageTokens } = context.options;
  if (conversation.kind === 'document' && overflow === 'split' && maxLength !== undefined) {
    const cost = (k: number): number => imageTokens?.(conversation, k) ?? 1;
    const hasBos = context.resolver.resolve('bos') !== null;
    const parts = splitDocumentSample(inputIds, labels, { hasBos }, cost, maxLength);
    return parts.map((part) => ({ ...part, flags: parts.length > 1 ? SampleFlag.SplitPart : 0 }));
  }
  const cut = truncateSample(inputIds, labels, maxLength);
  return [{ inputIds: cut.inputIds, labels: cut.labels, flags: cut.truncated ? SampleFlag.Truncated : 0 }];
}

/** SampleFlag.NoTrainableTokens when every label in [start, end) is IGNORE_LABEL. */
function trainableFlag(labels: Int32Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (labels[i] !== IGNORE_LABEL) return 0;
  return SampleFlag.NoTrainableTokens;
}
