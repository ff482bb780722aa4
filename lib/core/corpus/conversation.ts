/**
 * A training sample as the templates see it, whatever the source format (LLaVA JSON, JSONL,
 * multi-image conversations, MMC4/OBELICS documents): ordered turns whose text may contain
 * `<image>` placeholders, and the images those placeholders refer to, in order.
 */
export interface Conversation {
  /** Record id from the source ('' when it has none). */
  readonly id: string;
  readonly turns: readonly Turn[];
  /** Image references (paths relative to the dataset prefix), one per `<image>` placeholder, in order. */
  readonly images: readonly string[];
  /** Interleaved documents are trained as plain text with images (no roles, all text trainable). */
  readonly kind: 'conversation' | 'document';
}

/** One turn. Documents have a single `user`-less stream represented as `assistant` turns. */
export interface Turn {
  readonly role: 'system' | 'user' | 'assistant';
  readonly text: string;
}
