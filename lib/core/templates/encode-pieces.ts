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
import { nonLegacyPrefixOf, type NonLegacyPrefix } from '../tokenize/non-legacy-prefix.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import { invalidInputFromZod } from '../spec/zod-issues.js';
import { DOCUMENT_RULE_ID, renderDocument } from './document.js';
import { emitSample } from './emit-sample.js';
import { EncodedBatchBuilder, type EncodedBatch } from './encoded-batch.js';
import type { Piece, RenderedSample, Template } from './pieces.js';
import { assembleSample, compileSample, type Program, type SpecialResolver } from './piece-program.js';
import { bindSpaceSeams } from './space-seam-cut.js';
import { splitAtSpecialTokens, verifyIsolatedSpecialTokens, type Segments } from './special-tokens.js';
import { TextTable, type PendingTexts } from './text-table.js';
import { encodeTextsPacked, type PackSeparator } from './packed-encode.js';
import { overflowConfigSchema } from './truncate.js';

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
   * Cut texts into words at proved space seams and encode each distinct word once (default true,
   * where the tokenizer proves the rule; see space-seam-cut.ts). false = encode every text whole,
   * LLaVA's instruction probes included — the reference the tests compare with.
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
function specialResolver(tokenizer: Tokenizer, isolated: ReadonlyMap<string, number>): SpecialResolver {
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
  return { resolve, isolated };
}

/** Encode the template's constants once, cut as samples will cut them. */
async function encodeConstants(texts: readonly string[], tokenizer: Tokenizer, isolated: ReadonlyMap<string, number>): Promise<Map<string, Int32Array>> {
  const segments: Segments = [];
  for (const text of texts) splitAtSpecialTokens(text, isolated, segments);
  const unique = [...new Set(segments.filter((s): s is string => typeof s === 'string'))];
  const encoded = unique.length > 0 ? await tokenizer.encodeBatch(unique) : [];
  return new Map(unique.map((text, i) => [text, encoded[i]!]));
}

/** Bind a template to a tokenizer: verify special-token isolation and encode the constants. */
export async function createTemplateEncoder(template: Template, tokenizer: Tokenizer, options: TemplateEncoderOptions = {}): Promise<TemplateEncoder> {
  const parsed = overflowConfigSchema.safeParse({ maxLength: options.maxLength, overflow: options.overflow });
  if (!parsed.success) throw invalidInputFromZod('encoder', parsed.error);
  const nonLegacy = template.nonLegacyPrefix === true ? requiredNonLegacyPrefix(tokenizer) : null;
  // The tokenizer's own EOS/BOS serve as pack separators when no template token does. The
  // non-legacy way is defined per section between added tokens, so it always cuts at all of them.
  const candidates = [...template.specialTokens, tokenizer.eosToken, tokenizer.bosToken, ...(nonLegacy?.addedTokens ?? [])].filter(
    (t): t is string => t !== null,
  );
  const split = options.splitAtSpecialTokens !== false || nonLegacy !== null;
  const isolated = split ? await verifyIsolatedSpecialTokens(tokenizer, candidates) : new Map<string, number>();
  const unisolated = nonLegacy?.addedTokens.filter((token) => !isolated.has(token)) ?? [];
  if (unisolated.length > 0) {
    throw new InvalidInputError(
      'template.legacy',
      `false needs text cut at every added token, but ${tokenizer.name} does not encode ${JSON.stringify(unisolated)} in isolation; omit legacy`,
    );
  }
  const resolver = specialResolver(tokenizer, isolated);
  const constants = await encodeConstants(template.constantTexts, tokenizer, isolated);
  const cutSeams = options.splitAtSpecialTokens !== false && options.cutAtSpaceSeams !== false;
  const seams = cutSeams ? await bindSpaceSeams(tokenizer) : null;
  const templateId = `${template.id}+${DOCUMENT_RULE_ID}`;
  const separator = packSeparator(isolated, tokenizer);
  const context: EncodeContext = {
    template,
    tokenizer,
    resolver,
    separator,
    options: { ...options, ...parsed.data },
    tokenToId: memoizedTokenToId(tokenizer),
    nonLegacyPrefix: nonLegacy !== null,
  };
  return {
    templateId,
    isolatedSpecialTokens: [...isolated.keys()],
    encode: (conversations) => encodeAll(conversations, context, new TextTable(constants, seams, nonLegacy), templateId),
  };
}

/**
 * The tokenizer's non-legacy map for a template that asks for it: refused when the adapter states
 * its file has none; null (the tokenizer's own ids) when the adapter does not say.
 */
function requiredNonLegacyPrefix(tokenizer: Tokenizer): NonLegacyPrefix | null {
  const prefix = nonLegacyPrefixOf(tokenizer);
  if (prefix === null) {
    throw new InvalidInputError(
      'template.legacy',
      `false reproduces transformers 4.31's non-legacy LlamaTokenizer, which needs a legacy LLaMA/SentencePiece tokenizer.json (normalizer Prepend("▁") + Replace(" " → "▁"), no pre-tokenizer, BPE); ${tokenizer.name} is not one: omit legacy or set it to true`,
    );
  }
  return prefix ?? null;
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
  /** Whether text after a special token is encoded the non-legacy way. */
  readonly nonLegacyPrefix: boolean;
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

/**
 * Turn-text characters per pipeline stage: small enough that JS work on one stage hides behind the
 * engine's work on another, large enough for a few dozen packs per engine call.
 */
export const STAGE_CHARS = 1 << 18;

/** A run of conversations, rendered and compiled, with the texts it queued for encoding. */
interface Stage {
  readonly start: number;
  readonly rendered: readonly RenderedSample[];
  readonly programs: readonly Program[];
  readonly pending: PendingTexts;
}

/** Render and compile the conversations of about STAGE_CHARS characters from `start` on. */
function compileStage(conversations: readonly Conversation[], start: number, table: TextTable, context: EncodeContext): Stage {
  const rendered: RenderedSample[] = [];
  const programs: Program[] = [];
  for (let i = start, chars = 0; i < conversations.length && chars < STAGE_CHARS; i++) {
    const conversation = conversations[i]!;
    for (const turn of conversation.turns) chars += turn.text.length;
    const sample = conversation.kind === 'document' ? renderDocument(conversation) : context.template.render(conversation);
    rendered.push(sample);
    programs.push(compileSample(sample, table, context.resolver));
  }
  return { start, rendered, programs, pending: table.takePending() };
}

/** A generous guess of a batch's token count (about 3 characters per token), to size the builder once. */
function expectedTokens(conversations: readonly Conversation[]): number {
  let chars = 0;
  for (const conversation of conversations) for (const turn of conversation.turns) chars += turn.text.length;
  return Math.ceil(chars / 3) + 64 * conversations.length;
}

/**
 * Encode in stages, pipelined: the engine encodes stage k off the JS thread while JS renders and
 * compiles stage k+1, then writes stage k out while the engine encodes k+1. Outputs do not depend
 * on the staging: equal texts get equal ids in whichever stage they are encoded (the table shares
 * them), and samples are written in order.
 */
async function encodeAll(conversations: readonly Conversation[], context: EncodeContext, table: TextTable, templateId: string): Promise<EncodedBatch> {
  const builder = new EncodedBatchBuilder(expectedTokens(conversations));
  const encode = (stage: Stage): Promise<Int32Array[]> => encodeTextsPacked(context.tokenizer, stage.pending.texts, context.separator);
  let stage: Stage | null = compileStage(conversations, 0, table, context);
  let encoding = encode(stage);
  try {
    while (stage !== null) {
      const end: number = stage.start + stage.programs.length;
      const next: Stage | null = end < conversations.length ? compileStage(conversations, end, table, context) : null;
      table.fill(stage.pending, await encoding);
      if (next !== null) encoding = encode(next);
      for (let k = 0; k < stage.programs.length; k++) {
        const i = stage.start + k;
        emitSample(builder, conversations[i]!, i, stage.rendered[k]!, stage.programs[k]!, table, context);
      }
      stage = next;
    }
  } catch (error) {
    // A conversation that cannot be rendered fails the batch; the engine call in flight is moot.
    encoding.catch(() => undefined);
    throw error;
  }
  return builder.finish(templateId);
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
  const pending = table.takePending();
  table.fill(pending, pending.texts.length > 0 ? await tokenizer.encodeBatch(pending.texts) : []);
  return assembleSample(program, table);
}
