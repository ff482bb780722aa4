import { detectSourceFormat } from '../../core/corpus/source-format.js';
import { planChunks } from '../../core/corpus/plan-chunks.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { ChunkTask } from '../../core/corpus/chunk-task-schema.js';

/** Bytes read from the start of a source to detect its format. */
const HEAD_BYTES = 256 * 1024;

/**
 * Split every source of a dataset into chunks that start on record boundaries (what the
 * Distributed Map fans out over): detect each source's layout and record shape from its first
 * bytes (or take them from the config), then plan its byte ranges. Chunk order = (source, offset).
 */
export async function planDatasetChunks(store: ObjectStore, config: DatasetConfig): Promise<ChunkTask[]> {
  const tasks: ChunkTask[] = [];
  for (const [sourceIndex, source] of config.sources.entries()) {
    const size = await store.size(source.path);
    const head = await store.getRange(source.path, 0, Math.min(size, HEAD_BYTES));
    const format = detectSourceFormat(head, source.path, size, source.format === 'auto' ? {} : { shape: source.format });
    const chunks = await planChunks({
      container: format.container,
      sourceName: source.path,
      sourceSize: size,
      bytesPerChunk: config.chunkBytes,
      readWindow: (start, end) => store.getRange(source.path, start, end),
    });
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
