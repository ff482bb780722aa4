import { detectSourceFormat, type SourceFormat } from '../../core/corpus/source-format.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Bytes read from the start of a source to detect its format. */
export const HEAD_BYTES = 256 * 1024;

/** A source's layout and record shape, from its first bytes (or the shape the config names). */
export async function detectDatasetSource(store: ObjectStore, source: DatasetConfig['sources'][number], size: number): Promise<SourceFormat> {
  const head = await store.getRange(source.path, 0, Math.min(size, HEAD_BYTES));
  return detectSourceFormat(head, source.path, size, source.format === 'auto' ? {} : { shape: source.format });
}
