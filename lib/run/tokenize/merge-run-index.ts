import { DUPLICATES_KEY, INDEX_KEY } from '../../core/run-layout.js';
import { z } from 'zod';
import { decodeLengthIndex, encodeLengthIndex } from '../../arrow/index.js';
import { fingerprintLengthIndex } from '../../core/fingerprint.js';
import { mergeIndexParts, type IndexPart, type MergedIndex } from '../../core/tokenize/merge-index-parts.js';
import type { ObjectStore } from '../../io/object-store.js';
import { readChunkList } from '../prepare/prepare-run.js';
import { readDatasetConfig } from '../read-dataset-config.js';
import { loadDatasetTokenizer } from '../load-dataset-tokenizer.js';
import { chunkKeys, type ChunkSummary } from './tokenize-chunk.js';
import { readChunkSummary } from './tokenize-chunk-batch.js';
import { buildTokenizeManifest, writeTokenizeManifest } from './tokenize-manifest.js';
import { countIndexedRecords } from '../../core/dataset/reject-budget.js';
import { checkRejectBudget } from './check-reject-budget.js';

/** One chunk's length-index part in the output store, and the source it came from. */
export interface IndexPartRef {
  readonly sourceIndex: number;
  readonly key: string;
}

/**
 * Merge the chunks' length-index parts, given in (source, chunk) order, into the run-wide index
 * and write it with the duplicates file. Shared by the local tokenize run and the MergeIndex Lambda
 * so both produce the same bytes.
 */
export async function writeMergedIndex(out: ObjectStore, parts: readonly IndexPartRef[], sourceNames: readonly string[]): Promise<MergedIndex> {
  const decoded: IndexPart[] = [];
  for (const part of parts) decoded.push({ sourceIndex: part.sourceIndex, index: decodeLengthIndex(await out.get(part.key), part.key).index });
  const merged = mergeIndexParts(decoded, sourceNames);
  await out.put(INDEX_KEY, encodeLengthIndex(merged.index));
  await out.put(DUPLICATES_KEY, merged.duplicates.map((reject) => `${JSON.stringify(reject)}\n`).join(''));
  return merged;
}

/** What MergeIndex reports: keys and counts. */
export const mergedRunIndexSchema = z
  .object({
    indexKey: z.string(),
    duplicatesKey: z.string(),
    indexFingerprint: z.string(),
    samples: z.number().int().min(0),
    duplicates: z.number().int().min(0),
  })
  .strict()
  .readonly();

/** What MergeIndex reports. */
export type MergedRunIndex = z.infer<typeof mergedRunIndexSchema>;

/**
 * Merge a cloud run's index: the parts are found from the chunk list Prepare wrote (not from a
 * listing), so a missing part fails loudly as ObjectNotFound instead of silently shrinking the index.
 * A run that rejects every record, or more than the dataset's maxRejectedFraction, fails here
 * (TooManyRejects, with the top reasons) rather than planning what is left.
 * Then `tokenize.json`, the same manifest `megashard tokenize` writes, from each chunk's step
 * record: shards find the tokens files (in tokens_row order) through it alone.
 */
export async function mergeRunIndex(dataset: ObjectStore, run: ObjectStore): Promise<MergedRunIndex> {
  const { config } = await readDatasetConfig(dataset);
  const tasks = await readChunkList(run);
  const parts = tasks.map((task) => ({ sourceIndex: task.sourceIndex, key: chunkKeys('', task).index }));
  const merged = await writeMergedIndex(
    run,
    parts,
    config.sources.map((source) => source.path),
  );
  const chunks: ChunkSummary[] = [];
  for (const task of tasks) chunks.push(await readChunkSummary(run, task));
  const rejected = chunks.reduce((sum, chunk) => sum + chunk.rejects, 0) + merged.duplicates.length;
  await checkRejectBudget(run, { accepted: countIndexedRecords(merged.index), rejected }, config.maxRejectedFraction);
  const tokenizer = await loadDatasetTokenizer(dataset, config);
  await writeTokenizeManifest(run, buildTokenizeManifest(config, tokenizer.fingerprint, chunks, merged));
  return {
    indexKey: INDEX_KEY,
    duplicatesKey: DUPLICATES_KEY,
    indexFingerprint: fingerprintLengthIndex(merged.index),
    samples: merged.index.sampleCount,
    duplicates: merged.duplicates.length,
  };
}
