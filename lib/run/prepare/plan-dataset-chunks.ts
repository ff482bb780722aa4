import { chunksFromStarts, planChunks, type SourceChunk } from '../../core/corpus/plan-chunks.js';
import { composeJsonArrayStarts } from '../../core/corpus/compose-json-array-starts.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { HashedBlock } from '../../core/dataset/source-blocks.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { ChunkTask } from '../../core/corpus/chunk-task-schema.js';
import type { SourceFormat } from '../../core/corpus/source-format.js';
import { formatOfHead, readSourceHeads, type SourceHead } from './detect-source.js';

/** The HashSources records Prepare plans JSON arrays from, and where it says when it could not. */
export interface BlockSummaries {
  readonly blocks: readonly HashedBlock[];
  /** A JSON-array source planned by a whole scan although it had summaries: which, and why. */
  readonly onWholeScan: (source: string, reason: string) => void;
}

/**
 * Split every source of a dataset into chunks that start on record boundaries (what the
 * Distributed Map fans out over): detect each source's layout and record shape from its first
 * bytes (or take them from the config), then plan its byte ranges — a JSON array from its blocks'
 * summaries when HashSources recorded them (no source bytes read), else by scanning it whole; the
 * plan is the same either way. Chunk order = (source, offset).
 */
export async function planDatasetChunks(
  store: ObjectStore,
  config: DatasetConfig,
  summaries?: BlockSummaries,
  heads?: readonly SourceHead[],
): Promise<ChunkTask[]> {
  const tasks: ChunkTask[] = [];
  const read = heads ?? (await readSourceHeads(store, config));
  for (const [sourceIndex, source] of config.sources.entries()) {
    const { bytes: size } = read[sourceIndex]!;
    const format = formatOfHead(read[sourceIndex]!);
    const chunks = await planSourceChunks(store, config, { sourceIndex, path: source.path, size, format }, summaries);
    for (const chunk of chunks) {
      tasks.push({
        sourceIndex,
        source: source.path,
        chunkIndex: chunk.index,
        byteStart: chunk.byteStart,
        byteEnd: chunk.byteEnd,
        endOfSource: chunk.byteEnd === size,
        format,
      });
    }
  }
  return tasks;
}

interface DetectedSource {
  readonly sourceIndex: number;
  readonly path: string;
  readonly size: number;
  readonly format: SourceFormat;
}

async function planSourceChunks(store: ObjectStore, config: DatasetConfig, source: DetectedSource, summaries?: BlockSummaries): Promise<SourceChunk[]> {
  if (source.format.container === 'json-array' && summaries !== undefined) {
    const blocks = summaries.blocks
      .filter((block) => block.source === source.sourceIndex)
      .sort((a, b) => a.start - b.start)
      .map((block) => ({ start: block.start, end: block.end, summary: block.arraySummary }));
    const composed = composeJsonArrayStarts(blocks, { sourceName: source.path, sourceSize: source.size, bytesPerChunk: config.chunkBytes });
    if ('starts' in composed) return chunksFromStarts(composed.starts, source.size);
    summaries.onWholeScan(source.path, composed.fallback);
  }
  return planChunks({
    container: source.format.container,
    sourceName: source.path,
    sourceSize: source.size,
    bytesPerChunk: config.chunkBytes,
    readWindow: (start, end) => store.getRange(source.path, start, end),
  });
}
