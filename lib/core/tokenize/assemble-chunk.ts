import type { AcceptedRecord } from '../corpus/read-chunk.js';
import type { EncodedBatch } from '../templates/encoded-batch.js';
import { IGNORE_LABEL, IMAGE_TOKEN_ID } from './tokenizer.js';
import { pythonWordCount } from './python-word-count.js';
import {
  MODALITY_IMAGE_TEXT,
  MODALITY_INTERLEAVED,
  MODALITY_TEXT_ONLY,
  newNumericIndexColumns,
  utf8ColumnFromStrings,
  type LengthIndex,
} from '../index/length-index.js';
import type { TokenizedSamples } from './tokenized-samples.js';

/** Per accepted record: its images' pixel sizes and vision-token counts, in placeholder order. */
export interface RecordImages {
  readonly widths: readonly number[];
  readonly heights: readonly number[];
  readonly tokens: readonly number[];
}

/** A chunk's records after tokenization, as the tokens file's rows and the length-index part's rows. */
export interface AssembledChunk {
  readonly samples: TokenizedSamples;
  readonly index: LengthIndex;
}

/**
 * Join a chunk's accepted records, their images and the template's encoded batch into columns.
 * An output sample takes its record's images in sentinel order: a truncated sample keeps only
 * the images whose sentinels survived; the parts of a split document share them out in order.
 * Lengths: true cost = text tokens + vision tokens; XTuner's = ids with each image as one token;
 * LLaVA's = Python word count of every turn; both signed negative for text-only samples.
 */
export function assembleChunk(sourceName: string, records: readonly AcceptedRecord[], images: readonly RecordImages[], batch: EncodedBatch): AssembledChunk {
  const n = batch.offsets.length - 1;
  const imageRefs: string[] = [];
  const imageOffsets = new Int32Array(n + 1);
  const widths: number[] = [];
  const heights: number[] = [];
  const tokens: number[] = [];
  const index = emptyIndexColumns(n);
  let previousRecord = -1;
  let nextImage = 0;
  for (let s = 0; s < n; s++) {
    const r = batch.sourceIndex[s]!;
    if (r !== previousRecord) nextImage = 0;
    previousRecord = r;
    const ids = batch.inputIds.subarray(batch.offsets[s], batch.offsets[s + 1]);
    const labels = batch.labels.subarray(batch.offsets[s], batch.offsets[s + 1]);
    const conversation = records[r]!.conversation;
    let sentinels = 0;
    let trainable = 0;
    for (let k = 0; k < ids.length; k++) {
      if (ids[k] === IMAGE_TOKEN_ID) sentinels++;
      if (labels[k] !== IGNORE_LABEL) trainable++;
    }
    let visionTokens = 0;
    for (let k = 0; k < sentinels; k++, nextImage++) {
      imageRefs.push(conversation.images[nextImage]!);
      widths.push(images[r]!.widths[nextImage]!);
      heights.push(images[r]!.heights[nextImage]!);
      tokens.push(images[r]!.tokens[nextImage]!);
      visionTokens += images[r]!.tokens[nextImage]!;
    }
    imageOffsets[s + 1] = imageRefs.length;
    const sign = sentinels === 0 ? -1 : 1;
    index.numImages[s] = sentinels;
    index.textTokens[s] = ids.length - sentinels;
    index.imageTokens[s] = visionTokens;
    index.totalTokens[s] = ids.length - sentinels + visionTokens;
    index.trainableTokens[s] = trainable;
    index.modality[s] = sentinels === 0 ? MODALITY_TEXT_ONLY : conversation.kind === 'document' ? MODALITY_INTERLEAVED : MODALITY_IMAGE_TEXT;
    index.xtunerLength[s] = sign * ids.length;
    index.llavaLength[s] = sign * conversation.turns.reduce((sum, turn) => sum + pythonWordCount(turn.text), 0);
    index.sourceOffsets[s] = BigInt(records[r]!.byteOffset);
  }
  const recordIds = utf8ColumnFromStrings(Array.from(batch.sourceIndex, (r) => records[r]!.conversation.id));
  const samples: TokenizedSamples = {
    sampleCount: n,
    recordIds,
    sourceNames: [sourceName],
    sourceIndex: new Int32Array(n),
    sourceOffsets: index.sourceOffsets,
    inputIds: batch.inputIds,
    labels: batch.labels,
    tokenOffsets: batch.offsets,
    images: utf8ColumnFromStrings(imageRefs),
    imageOffsets,
    imageTokens: Int32Array.from(tokens),
    imageWidths: Int32Array.from(widths),
    imageHeights: Int32Array.from(heights),
  };
  return { samples, index: { ...index, sampleCount: n, recordIds, sourceNames: [sourceName], sourceIndex: samples.sourceIndex } };
}

function emptyIndexColumns(n: number) {
  return {
    ...newNumericIndexColumns(n),
    // Row within this chunk's tokens file; the merge rebases it to the run-wide row.
    tokensRow: Int32Array.from({ length: n }, (_, s) => s),
  };
}
