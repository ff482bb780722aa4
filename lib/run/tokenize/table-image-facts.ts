import type { ImageFacts } from '../../core/images/image-check.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { ImageFactsSource } from './image-facts-source.js';
import { readImageTable, type ImageTable } from './image-table.js';

/**
 * Image facts from the run's image table where it covers the key (a listed folder), from `inner`
 * (the store probe) elsewhere: a key outside every listed folder is checked as it always was.
 */
export class TableImageFacts implements ImageFactsSource {
  constructor(
    private readonly table: ImageTable,
    private readonly inner: ImageFactsSource,
  ) {}

  factsOf(key: string): Promise<ImageFacts> {
    return this.table.covers(key) ? this.table.factsOf(key) : this.inner.factsOf(key);
  }
}

/** The run's image table in front of `probe` when ListImages wrote one, else `probe` alone. */
export async function runImageFacts(run: ObjectStore, probe: ImageFactsSource): Promise<ImageFactsSource> {
  const table = await readImageTable(run);
  return table === undefined ? probe : new TableImageFacts(table, probe);
}
