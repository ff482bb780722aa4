import { composeJsonArrayStarts } from '../../lib/core/corpus/compose-json-array-starts.js';
import { JsonArrayBlockSummarizer } from '../../lib/core/corpus/json-array-block-speculation.js';
import { jsonArrayBlockSummarySchema } from '../../lib/core/corpus/json-array-block-summary.js';
import { planChunks } from '../../lib/core/corpus/plan-chunks.js';
import { InvalidInputError } from '../../lib/core/errors.js';

/** What planning a JSON-array source gave: chunk starts, a whole-file error, or (summaries only) a fallback. */
export type PlanOutcome = { starts: number[] } | { error: string } | { fallback: string };

async function outcomeOf(plan: () => Promise<PlanOutcome> | PlanOutcome): Promise<PlanOutcome> {
  try {
    return await plan();
  } catch (error) {
    if (error instanceof InvalidInputError) return { error: error.message };
    throw error;
  }
}

/** The grid-rule plan of a whole scan (planChunks). */
export function wholeScanOutcome(bytes: Uint8Array, bytesPerChunk: number, windowBytes = 4096): Promise<PlanOutcome> {
  return outcomeOf(async () => {
    const chunks = await planChunks({
      container: 'json-array',
      sourceName: 'src.json',
      sourceSize: bytes.length,
      bytesPerChunk,
      windowBytes,
      readWindow: (a, b) => bytes.slice(a, b),
    });
    return { starts: chunks.map((chunk) => chunk.byteStart) };
  });
}

/** Summaries of every block (pushed in windows of `windowBytes`), JSON round-tripped and schema-checked as Prepare reads them. */
export function summariseBlocks(bytes: Uint8Array, blockBytes: number, bytesPerChunk: number, windowBytes: number) {
  const blocks = [];
  for (let start = 0; start < bytes.length || start === 0; start += blockBytes) {
    const end = Math.min(bytes.length, start + blockBytes);
    const summarizer = new JsonArrayBlockSummarizer({ sourceName: 'src.json', blockStart: start, blockEnd: end, bytesPerChunk });
    for (let at = start; at < end; at += windowBytes) summarizer.push(bytes.subarray(at, Math.min(end, at + windowBytes)));
    const summary = jsonArrayBlockSummarySchema.parse(JSON.parse(JSON.stringify(summarizer.summary())));
    blocks.push({ start, end, summary });
    if (end === bytes.length) break;
  }
  return blocks;
}

/** The plan composed from block summaries. */
export function composedOutcome(bytes: Uint8Array, blockBytes: number, bytesPerChunk: number, windowBytes: number): Promise<PlanOutcome> {
  return outcomeOf(() => {
    const blocks = summariseBlocks(bytes, blockBytes, bytesPerChunk, windowBytes);
    return composeJsonArrayStarts(blocks, { sourceName: 'src.json', sourceSize: bytes.length, bytesPerChunk });
  });
}
