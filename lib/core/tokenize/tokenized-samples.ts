import type { Utf8Column } from '../index/length-index.js';
import { InvalidInputError } from '../errors.js';

/**
 * Tokenized samples as columns (the tokens file's rows): every sample's ids and labels live in
 * one flat Int32Array each, cut by `tokenOffsets`; images likewise by `imageOffsets`. No
 * per-sample arrays, so a chunk of 100K samples is a handful of typed arrays.
 */
export interface TokenizedSamples {
  readonly sampleCount: number;
  /** Record ids from the source, '' where the source has none. */
  readonly recordIds: Utf8Column;
  readonly sourceNames: readonly string[];
  readonly sourceIndex: Int32Array;
  /** Byte offset of each record in its source. */
  readonly sourceOffsets: BigInt64Array;
  /** input_ids of all samples; an image is one IMAGE_TOKEN_ID sentinel (the trainer expands it). */
  readonly inputIds: Int32Array;
  /** labels parallel to inputIds; IGNORE_LABEL where no loss is taken. */
  readonly labels: Int32Array;
  /** sampleCount + 1 offsets: sample i's tokens are [tokenOffsets[i], tokenOffsets[i+1]). */
  readonly tokenOffsets: Int32Array;
  /** Image references of all samples, in sentinel order. */
  readonly images: Utf8Column;
  /** sampleCount + 1 offsets into the image rows. */
  readonly imageOffsets: Int32Array;
  /** Vision tokens each image expands to (per image row). */
  readonly imageTokens: Int32Array;
  /** Pixel size of each image as read from its header (0 when the rule did not need it). */
  readonly imageWidths: Int32Array;
  readonly imageHeights: Int32Array;
}

/** Check the offsets and parallel columns agree, naming the first inconsistency. */
export function validateTokenizedSamples(samples: TokenizedSamples): void {
  const n = samples.sampleCount;
  const check = (ok: boolean, field: string, why: string): void => {
    if (!ok) throw new InvalidInputError(`tokens.${field}`, why);
  };
  check(samples.tokenOffsets.length === n + 1, 'tokenOffsets', `has ${samples.tokenOffsets.length} entries; expected ${n + 1}`);
  check(samples.imageOffsets.length === n + 1, 'imageOffsets', `has ${samples.imageOffsets.length} entries; expected ${n + 1}`);
  check(samples.labels.length === samples.inputIds.length, 'labels', 'must be as long as inputIds');
  check(samples.tokenOffsets[n] === samples.inputIds.length, 'tokenOffsets', 'must end at the number of tokens');
  const imageCount = samples.imageOffsets[n]!;
  check(samples.images.offsets.length === imageCount + 1, 'images', `has ${samples.images.offsets.length - 1} rows; expected ${imageCount}`);
  for (const [name, column] of [
    ['imageTokens', samples.imageTokens],
    ['imageWidths', samples.imageWidths],
    ['imageHeights', samples.imageHeights],
  ] as const) {
    check(column.length === imageCount, name, `has ${column.length} rows; expected ${imageCount}`);
  }
  for (const [name, column] of [
    ['sourceIndex', samples.sourceIndex],
    ['sourceOffsets', samples.sourceOffsets],
  ] as const) {
    check(column.length === n, name, `has ${column.length} rows; expected ${n}`);
  }
  for (let i = 0; i < n; i++) {
    check(samples.tokenOffsets[i]! <= samples.tokenOffsets[i + 1]!, `tokenOffsets[${i}]`, 'offsets must not decrease');
    check(samples.imageOffsets[i]! <= samples.imageOffsets[i + 1]!, `imageOffsets[${i}]`, 'offsets must not decrease');
  }
}
