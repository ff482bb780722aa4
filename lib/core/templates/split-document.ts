/**
 * Splitting an over-long interleaved document into several samples instead of truncating it.
 *
 * Rule: measure in EFFECTIVE length (a text token costs 1, image k costs `imageTokens(k)`, its
 * expanded vision tokens); fill each part greedily with the body's tokens in order and cut before
 * the token or image that would overflow, so a cut falls between text tokens or next to an image,
 * never inside an image's expanded span. Every part is framed like a document: its own BOS (when
 * the tokenizer has one) and EOS, so each part's budget is `maxLength - framing`. A single image
 * larger than that budget cannot be placed and is an error. VILA itself never splits (the model
 * truncates at model_max_length after expansion); this is megashard's option.
 */
import { InvalidInputError } from '../errors.js';
import { IMAGE_TOKEN_ID } from '../tokenize/tokenizer.js';

/** Expanded token count of the k-th image of a document (0-based, counted from its start). */
export type ImageTokenCount = (imageIndex: number) => number;

/**
 * Part boundaries of a document body (ids without BOS/EOS): `[0, c1, …, n]`, each part's
 * effective length ≤ `budget`. Pure; throws when an image alone exceeds the budget.
 */
export function planDocumentSplit(bodyIds: Int32Array, imageTokens: ImageTokenCount, budget: number): Int32Array {
  if (!Number.isInteger(budget) || budget < 1) {
    throw new InvalidInputError('maxLength', `leaves ${budget} tokens per part after BOS/EOS; raise maxLength`);
  }
  const cuts = [0];
  let used = 0;
  let image = 0;
  for (let i = 0; i < bodyIds.length; i++) {
    const cost = bodyIds[i] === IMAGE_TOKEN_ID ? imageCost(imageTokens, image++, budget) : 1;
    if (used + cost > budget) {
      cuts.push(i);
      used = 0;
    }
    used += cost;
  }
  cuts.push(bodyIds.length);
  return Int32Array.from(cuts);
}

/** The k-th image's cost, checked to be a whole number of tokens that fits a part. */
function imageCost(imageTokens: ImageTokenCount, k: number, budget: number): number {
  const cost = imageTokens(k);
  if (!Number.isInteger(cost) || cost < 0) {
    throw new InvalidInputError(`imageTokens(${k})`, `is ${cost}; must be a whole number ≥ 0`);
  }
  if (cost > budget) {
    throw new InvalidInputError(
      'maxLength',
      `image ${k} needs ${cost} tokens but a part holds at most ${budget} after BOS/EOS; raise maxLength or drop the image`,
    );
  }
  return cost;
}

/** Effective length of a sample: ids, with each image sentinel counted as its expanded tokens. */
export function effectiveLength(inputIds: Int32Array, imageTokens: ImageTokenCount): number {
  let total = 0;
  let image = 0;
  for (const id of inputIds) total += id === IMAGE_TOKEN_ID ? imageTokens(image++) : 1;
  return total;
}

/** How a document sample is framed: a leading BOS or not, and always a trailing EOS. */
export interface DocumentFrame {
  readonly hasBos: boolean;
}

/** One part of a split document. */
export interface DocumentPart {
  readonly inputIds: Int32Array;
  readonly labels: Int32Array;
}

/**
 * Split an encoded document (`[BOS] body EOS`, labels alongside) into parts of effective length
 * ≤ `maxLength`, each re-framed with the document's BOS/EOS ids and labels. A document that fits
 * is returned as its single part, unchanged.
 */
export function splitDocumentSample(
  inputIds: Int32Array,
  labels: Int32Array,
  frame: DocumentFrame,
  imageTokens: ImageTokenCount,
  maxLength: number,
): DocumentPart[] {
  if (effectiveLength(inputIds, imageTokens) <= maxLength) return [{ inputIds, labels }];
  const head = frame.hasBos ? 1 : 0;
  const end = inputIds.length - 1;
  const cuts = planDocumentSplit(inputIds.subarray(head, end), imageTokens, maxLength - head - 1);
  const parts: DocumentPart[] = [];
  for (let p = 0; p + 1 < cuts.length; p++) {
    parts.push({
      inputIds: frameSlice(inputIds, head, head + cuts[p]!, head + cuts[p + 1]!),
      labels: frameSlice(labels, head, head + cuts[p]!, head + cuts[p + 1]!),
    });
  }
  return parts;
}

/** `source[0:head] + source[start:end] + source[last]`: a body slice with the document's framing. */
function frameSlice(source: Int32Array, head: number, start: number, end: number): Int32Array {
  const out = new Int32Array(head + (end - start) + 1);
  out.set(source.subarray(0, head), 0);
  out.set(source.subarray(start, end), head);
  out[out.length - 1] = source[source.length - 1]!;
  return out;
}
