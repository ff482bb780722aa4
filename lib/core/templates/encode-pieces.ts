/**
 * Encoding rendered conversations into ids and labels, many at a time.
 *
 * Throughput comes from four exact savings: (1) every text of a batch goes into ONE encodeBatch
 * call, deduplicated (LLaVA-558K repeats a dozen instructions; "\n" separators recur every turn);
 * (2) template constants are encoded once per encoder and reused; (3) text is cut at special
 * tokens that the tokenizer is verified to isolate (special-tokens.ts), so role headers such as
 * `assistant\n` between `<|im_start|>` and the answer become shared constants too; (4) the short
 * texts are joined with such a token into a few long ones (packed-encode.ts), so the engine's
 * per-text cost is paid per few thousand characters instead of per turn.
 */
import { InvalidInputError } from '../errors.js';
import type { Conversation } from '../corpus/conversation.js';
import { IGNORE_LABEL, type Tokenizer } from '../tokenize/tokenizer.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { DOCUMENT_RULE_ID, renderDocument } from './document.js';
import { EncodedBatchBuilder, SampleFlag, type EncodedBatch } from './encoded-batch.js';
import type { LabelRule, Piece, RenderedSample, Template } from './pieces.js';
import { assembleSample, compileSample, probeLengths, programLength, splitForEncoding, TextTable, writeSample, type Program, type SpecialResolver } from './piece-program.js';
import { bindSpaceSeams, type SeamCutter } from './space-seam-cut.js';
import { verifyIsolatedSpecialTokens, type Segments } from './special-tokens.js';
import { encodeTextsPacked, type PackSeparator } from './packed-encode.js';
import { splitDocumentSample } from './split-document.js';
import { overflowConfigSchema, truncateSample } from './truncate.js';

/** Options of a template encoder. */
export interface TemplateEncoderOptions {
  /** Longest sample (see truncate.ts); no limit when omitted. */
  readonly maxLength?: number;
  /** `truncate` (default) or `split` (documents only; maxLength then counts effective tokens). */
  readonly overflow?: 'truncate' | 'split';
  /** Expanded tokens of a document's k-th image, for `split` (default 1: the sentinel). */
  readonly imageTokens?: (conversation: Conversation, imageIndex: number) => number;
  /**
   * Cut text at verified special tokens and pack texts joined by one (default true; false =
   * encode every piece whole, one text per upstream call — the reference the tests compare with).
   */
  readonly splitAtSpecialTokens?: boolean;
  /**
   * Cut text at proved space seams next to the template's markers (default true, where the
   * tokenizer proves them; see space-seam-cut.ts). false = encode LLaVA's instruction probes as
   * separate texts, as upstream does — the reference the tests compare with.
   */
  readonly cutAtSpaceSeams?: boolean;
}

/** A template bound to a tokenizer, with its constants encoded. */
export interface TemplateEncoder {
  /** The template id, plus the document rule id (both can occur in one batch). */
  readonly templateId: string;
  /** Special tokens the encoder cuts text at (verified on this tokenizer). */
  readonly isolatedSpecialTokens: readonly string[];
  /** Encode conversations and documents into one columnar batch, one encodeBatch call. */
  encode(conversations: readonly Conversation[]): Promise<EncodedBatch>;
}

/** Resolve `bos`/`eos`/token names to ids for one tokenizer; unknown names fail with advice. */
function specialResolver(tokenizer: Tokenizer, isolated: ReadonlyMap<string, number>, seams: SeamCutter | null = null): SpecialResolver {
  const idOf = (token: string | null, what: string): number | null => {
    if (token === null) return null;
    const id = tokenizer.tokenToId(token);
    if (id === null) throw new InvalidInputError(`tokenizer.${what}`, `${JSON.stringify(token)} has no id in ${tokenizer.name}`);
    return id;
  };
  const bos = idOf(tokenizer.bosToken, 'bosToken');
  const eos = idOf(tokenizer.eosToken, 'eosToken');
  const resolve = (token: string): number | null => {
    if (token === 'bos') return bos;
    const id = token === 'eos' ? eos : tokenizer.tokenToId(token);
    if (id === null) {
      throw new InvalidInputError('template', `needs token ${JSON.stringify(token)} but ${tokenizer.name} has none; pick a template made for this tokenizer`);
    }
    return id;
  };
  return { resolve, isolated, seams };
}

/** Encode the template's constants once, cut as samples will cut them. */
async function encodeConstants(texts: readonly string[], tokenizer: Tokenizer, resolver: SpecialResolver): Promise<Map<string, Int32Array>> {
  const segments: Segments = [];
  for (const text of texts) splitForEncoding(text, resolver, segments);
  const unique = [...new Set(segments.filter((s): s is string => typeof s === 'string'))];
  const encoded = unique.length > 0 ? await tokenizer.encodeBatch(unique) : [];
  return new Map(unique.map((text, i) => [text, encoded[i]!]));
}

/** Bind a template to a tokenizer: verify special-token isolation and encode the constants. */
export async function createTemplateEncoder(template: Template, tokenizer: Tokenizer, options: TemplateEncoderOptions = {}): Promise<TemplateEncoder> {
  const parsed = overflowConfigSchema.safeParse({ maxLength: options.maxLength, overflow: options.overflow });
  if (!parsed.success) throw invalidInputFromZod('encoder', parsed.error);
  // The tokenizer's own EOS/BOS serve as pack separators when no template token does.
  const candidates = [...template.specialTokens, tokenizer.eosToken, tokenizer.bosToken].filter((t): t is string => t !== null);
  const isolated = options.splitAtSpecialTokens === false ? new Map<string, number>() : await verifyIsolatedSpecialTokens(tokenizer, candidates);
  const cutSeams = options.splitAtSpecialTokens !== false && options.cutAtSpaceSeams !== false;
  const seams = cutSeams ? await bindSpaceSeams(tokenizer, template.seamMarkers ?? []) : null;
  const resolver = specialResolver(tokenizer, isolated, seams);
  const constants = await encodeConstants(template.constantTexts, tokenizer, resolver);
  const templateId = `${template.id}+${DOCUMENT_RULE_ID}`;
  const separator = packSeparator(isolated, tokenizer);
  const context: EncodeContext = { template, tokenizer, resolver, separator, options: { ...options, ...parsed.data }, tokenToId: memoizedTokenToId(tokenizer) };
  return {
    templateId,
    isolatedSpecialTokens: [...isolated.keys()],
    encode: (conversations) => encodeAll(conversations, context, new TextTable(constants), templateId),
  };
}

/** The isolated token to pack texts with: the EOS if isolated, else any. */
function packSeparator(isolated: ReadonlyMap<string, number>, tokenizer: Tokenizer): PackSeparator | null {
  const preferred = [tokenizer.eosToken, tokenizer.bosToken, ...isolated.keys()];
  const token = preferred.find((t): t is string => t !== null && isolated.has(t));
  return token === undefined ? null : { token, id: isolated.get(token)! };
}

/** What encodeAll needs besides the conversations. */
interface EncodeContext {
  readonly template: Template;
  readonly tokenizer: Tokenizer;
  readonly resolver: SpecialResolver;
  readonly separator: PackSeparator | null;
  readonly options: TemplateEncoderOptions;
  /** The tokenizer's `tokenToId`, memoized: label rules ask it once per sample. */
  readonly tokenToId: (token: string) => number | null;
}

/** `tokenToId` with a cache (the native call costs a crossing each time). */
function memoizedTokenToId(tokenizer: Tokenizer): (token: string) => number | null {
  const ids = new Map<string, number | null>();
  return (token) => {
    let id = ids.get(token);
    if (id === undefined) ids.set(token, (id = tokenizer.tokenToId(token)));
    return id;
  };
}

/** Render and compile everything, encode all new texts in one call, then assemble. */
async function encodeAll(conversations: readonly Conversation[], context: EncodeContext, table: TextTable, templateId: string): Promise<EncodedBatch> {
  const rendered = conversations.map((c) => (c.kind === 'document' ? renderDocument(c) : context.template.render(c)));
  const programs = rendered.map((r) => compileSample(r, table, context.resolver));
  table.fill(await encodeTextsPacked(context.tokenizer, table.pendingTexts(), context.separator));
  let tokens = 0;
  for (const program of programs) tokens += programLength(program, table);
  const builder = new EncodedBatchBuilder(tokens);
  conversations.forEach((conversation, i) => emitSample(builder, conversation, i, rendered[i]!, programs[i]!, table, context));
  return builder.finish(templateId);
}

/**
 * Write one sample straight into the builder. A label rule reads the whole sample, so it is written
 * whole and truncation commits its prefix; only a document split needs a separate copy.
 */
function emitSample(
  builder: EncodedBatchBuilder,
  conversation: Conversation,
  source: number,
  rendered: RenderedSample,
  program: Program,
  table: TextTable,
  context: EncodeContext,
): void {
  const { maxLength, overflow } = context.options;
  if (conversation.kind === 'document' && overflow === 'split') {
    emitSplitParts(builder, conversation, source, rendered, program, table, context);
    return;
  }
  const length = programLength(program, table);
  const kept = maxLength === undefined ? length : Math.min(length, maxLength);
  const target = builder.reserveSample(rendered.labelRule === undefined ? kept : length);
  writeSample(program, table, target.inputIds, target.labels);
  const ruled = rendered.labelRule === undefined ? { flags: 0 } : applyLabelRule(rendered.labelRule, target.inputIds, target.labels, program, table, context);
  const flags = ruled.flags | (kept < length ? SampleFlag.Truncated : 0) | trainableFlag(target.labels.subarray(0, kept));
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
  context: EncodeContext,
): void {
  const { inputIds, labels } = assembleSample(program, table);
  const ruled = rendered.labelRule === undefined ? { flags: 0 } : applyLabelRule(rendered.labelRule, inputIds, labels, program, table, context);
  for (const part of overflowParts(conversation, inputIds, labels, context)) {
    const index = builder.add(part.inputIds, part.labels, source, ruled.flags | part.flags | trainableFlag(part.labels));
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
  context: EncodeContext,
): { flags: number; warning?: string } {
  const verdict = rule.apply({
    inputIds,
    probeLengths: probeLengths(program, table),
    hasBos: context.resolver.resolve('bos') !== null,
    tokenToId: context.tokenToId,
    maxLength: context.options.maxLength,
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
function overflowParts(conversation: Conversation, inputIds: Int32Array, labels: Int32Array, context: EncodeContext): StoredPart[] {
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

/** SampleFlag.NoTrainableTokens when every label is IGNORE_LABEL. */
function trainableFlag(labels: Int32Array): number {
  for (const label of labels) if (label !== IGNORE_LABEL) return 0;
  return SampleFlag.NoTrainableTokens;
}

/** Encode conversations with a template in one go (creates a throwaway encoder). */
export async function encodeConversations(
  conversations: readonly Conversation[],
  template: Template,
  tokenizer: Tokenizer,
  options: TemplateEncoderOptions = {},
): Promise<EncodedBatch> {
  return (await createTemplateEncoder(template, tokenizer, options)).encode(conversations);
}

/**
 * Encode one list of pieces as given — each text piece one tokenizer call, no splitting — into ids
 * and per-piece labels.
 */
export async function encodePieces(pieces: readonly Piece[], tokenizer: Tokenizer): Promise<{ inputIds: Int32Array; labels: Int32Array }> {
  const table = new TextTable(new Map());
  const program = compileSample({ pieces }, table, specialResolver(tokenizer, new Map()));
  const pending = table.pendingTexts();
  table.fill(pending.length > 0 ? await tokenizer.encodeBatch(pending) : []);
  return assembleSample(program, table);
}
