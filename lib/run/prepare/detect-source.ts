import { detectSourceFormat, type SourceFormat } from '../../core/corpus/source-format.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import type { ObjectStore } from '../../io/object-store.js';

/** Bytes read from the start of a source to detect its format and estimate its records. */
export const HEAD_BYTES = 256 * 1024;

/** A source's size and first bytes: read once per call, for the sample estimate, the container and the chunk plan. */
export interface SourceHead {
  readonly source: DatasetConfig['sources'][number];
  readonly path: string;
  readonly bytes: number;
  readonly head: Uint8Array;
}

/** Every source's size and first {@link HEAD_BYTES} bytes, in config order (a HEAD and a ranged GET each). */
export function readSourceHeads(dataset: ObjectStore, config: DatasetConfig): Promise<SourceHead[]> {
  return mapWithConcurrency(config.sources.length, DEFAULT_REQUESTS_IN_FLIGHT, async (i) => {
    const source = config.sources[i]!;
    const bytes = await dataset.size(source.path);
    return { source, path: source.path, bytes, head: await dataset.getRange(source.path, 0, Math.min(bytes, HEAD_BYTES)) };
  });
}

/** A source's layout and record shape, from its first bytes (or the shape the config names); InvalidInputError naming it. */
export function formatOfHead({ source, path, bytes, head }: SourceHead): SourceFormat {
  return detectSourceFormat(head, path, bytes, source.format === 'auto' ? {} : { shape: source.format });
}
