/**
 * Interleaved documents (`kind: 'document'`: MMC4, OBELICS, COYO), trained as plain language
 * modelling the way VILA does (NVlabs/VILA `llava/data/dataset.py` `LazyMMC4Dataset.__getitem__`):
 * `tokenizer_image_token(text + eos_token)` and `labels = input_ids`.
 *
 * Rule: `[BOS] + text with each <image> as one sentinel + [EOS]`; every text token, the BOS and the
 * EOS are labelled with their own id, image sentinels with IGNORE_LABEL. The text is the turns'
 * texts concatenated with nothing in between (the corpus reader already joined sentences as VILA
 * does); each `<image>`-separated chunk is one tokenizer call. VILA appends EOS as text; we insert
 * its id, which is the same whenever the tokenizer splits special tokens out of text (HF does).
 * The same rule applies whichever template the run uses: documents have no roles to template.
 */
import type { Conversation } from '../corpus/conversation.js';
import { specialPiece, type RenderedSample } from './pieces.js';
import { chunkPieces } from './text-rules.js';

/** Versioned id of the document rule, written next to the template id. */
export const DOCUMENT_RULE_ID = 'vila-document@1';

/** Render a document: BOS, its text and images (all trainable), EOS. */
export function renderDocument(document: Conversation): RenderedSample {
  const text = document.turns.map((turn) => turn.text).join('');
  return {
    pieces: [specialPiece('bos', true), ...chunkPieces(text, true), specialPiece('eos', true)],
  };
}
