/**
 * A deterministic stand-in for a real tokenizer, with the behaviours that decide template ids made
 * visible: special tokens cut out of text first (as HF does), then each section split into words;
 * and a SentencePiece-style dummy prefix (a leading space) per encode call:
 *
 * - `always`: every text section gets the prefix, also after a special token (LLaMA `legacy=True`)
 * - `first`:  only a section at offset 0 gets it (LLaMA `legacy=False`, Metaspace `first`)
 * - `none`:   no prefix (byte-level BPE: Llama 3, Qwen)
 *
 * Words: ` ?\S+` (a word with at most one leading space), "\n", or a run of other whitespace. Ids of
 * specials are their index in `specials` (default `<unk>`=0, `<s>`=1, `</s>`=2, like LLaMA); other
 * tokens get a stable hash id ≥ 1000, so ids do not depend on test order. `tokens(ids)` reads ids
 * back with spaces shown as `▁`.
 */
import type { Tokenizer } from '../../lib/core/tokenize/tokenizer.js';
import { IGNORE_LABEL, IMAGE_TOKEN_ID } from '../../lib/core/tokenize/tokenizer.js';

/** Options of the fake tokenizer. */
export interface FakeTokenizerOptions {
  readonly prefix?: 'always' | 'first' | 'none';
  /** Tokens parsed out of text by exact match (ids = their index). */
  readonly specials?: readonly string[];
  readonly bosToken?: string | null;
  readonly eosToken?: string | null;
  /** Specials that swallow the whitespace before them (HF `lstrip=True`). */
  readonly lstrip?: readonly string[];
  /**
   * Emit the dummy prefix as its own `▁` token instead of merging it into the first word — as
   * SentencePiece does when `▁Word` is not in the vocabulary but `Word` is.
   */
  readonly prefixAsOwnToken?: boolean;
}

const WORD = / ?\S+|\n|[^\S\n]+/g;

/** FNV-1a of a string, folded into [1000, 1_001_000). */
function stableId(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 1000 + (hash % 1_000_000);
}

/** The fake tokenizer, with counters and a reader for tests. */
export class FakeTokenizer implements Tokenizer {
  readonly fingerprint: string;
  readonly name: string;
  readonly vocabSize = 1_001_000;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /** encodeBatch calls and texts encoded so far, and the texts of the last call. */
  calls = 0;
  textsEncoded = 0;
  lastTexts: readonly string[] = [];
  private readonly prefix: 'always' | 'first' | 'none';
  private readonly specials: readonly string[];
  private readonly lstrip: ReadonlySet<string>;
  private readonly prefixAsOwnToken: boolean;
  private readonly names = new Map<number, string>();

  constructor(options: FakeTokenizerOptions = {}) {
    this.prefix = options.prefix ?? 'always';
    this.specials = options.specials ?? ['<unk>', '<s>', '</s>'];
    this.bosToken = options.bosToken === undefined ? '<s>' : options.bosToken;
    this.eosToken = options.eosToken === undefined ? '</s>' : options.eosToken;
    this.lstrip = new Set(options.lstrip ?? []);
    this.prefixAsOwnToken = options.prefixAsOwnToken ?? false;
    this.name = `fake:${this.prefix}`;
    this.fingerprint = `fake:${this.prefix}:${this.prefixAsOwnToken}:${this.specials.join(',')}:${[...this.lstrip].join(',')}`;
    this.specials.forEach((s, i) => this.names.set(i, s));
  }

  async encodeBatch(texts: readonly string[]): Promise<Int32Array[]> {
    this.calls += 1;
    this.textsEncoded += texts.length;
    this.lastTexts = [...texts];
    return texts.map((text) => Int32Array.from(this.encodeOne(text)));
  }

  tokenToId(token: string): number | null {
    // Only added tokens are looked up by name; words have no fixed vocabulary here.
    const special = this.specials.indexOf(token);
    return special >= 0 ? special : null;
  }

  /** Token strings of ids (space as ▁, images as `<image>`, IGNORE_LABEL as `·`). */
  tokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => (id === IMAGE_TOKEN_ID ? '<image>' : id === IGNORE_LABEL ? '·' : (this.names.get(id) ?? `?${id}`)));
  }

  /** Encode one text: cut specials out, then words per section with the dummy prefix rule. */
  encodeOne(text: string): number[] {
    const ids: number[] = [];
    let section = '';
    let sectionStart = 0;
    const flush = (): void => {
      const withPrefix = section !== '' && (this.prefix === 'always' || (this.prefix === 'first' && sectionStart === 0));
      if (withPrefix && this.prefixAsOwnToken) ids.push(this.idOf(' '));
      const body = withPrefix && !this.prefixAsOwnToken ? ` ${section}` : section;
      for (const word of body.match(WORD) ?? []) ids.push(this.idOf(word));
      section = '';
    };
    let i = 0;
    while (i < text.length) {
      const special = this.specials.find((s) => text.startsWith(s, i));
      if (special === undefined) {
        if (section === '') sectionStart = i;
        section += text[i];
        i += 1;
        continue;
      }
      if (this.lstrip.has(special)) section = section.replace(/\s+$/, '');
      flush();
      ids.push(this.specials.indexOf(special));
      i += special.length;
    }
    flush();
    return ids;
  }

  private idOf(token: string): number {
    const id = stableId(token);
    this.names.set(id, token.replace(/ /g, '▁'));
    return id;
  }
}
