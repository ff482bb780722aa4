/**
 * Where a chunk learns about its images. A source answers by object key; the store probe checks
 * the image, the cache makes each distinct image cost one check however many records (and chunks
 * of a batch) refer to it. A run-wide table of (key → exists, width, height) computed once per run
 * implements the same interface and replaces the probe without touching the chunk code.
 */
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { effectiveImageCheck, type ImageCheckLevel, type ImageFacts } from '../../core/images/image-check.js';
import type { ObjectStore } from '../../io/object-store.js';
import { probeImage } from './probe-image.js';
import type { ReadImageSizeOptions } from './read-image-size.js';

/** Facts about images by object key (a storage failure rejects the promise). */
export interface ImageFactsSource {
  factsOf(key: string): Promise<ImageFacts>;
}

/** Checks each image in the store at one level, every time it is asked. */
export class StoreImageProbe implements ImageFactsSource {
  /** Store calls made so far (one per `factsOf`). */
  probes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly level: ImageCheckLevel,
    private readonly options: ReadImageSizeOptions = {},
  ) {}

  factsOf(key: string): Promise<ImageFacts> {
    this.probes += 1;
    return probeImage(this.store, key, this.level, this.options);
  }
}

/**
 * Default bound of the cache: about 150 bytes an entry, so ~30 MB — a chunk of LLaVA-665K
 * (64 MiB) refers to ~40K images, and the bound only evicts across the chunks of a large batch.
 */
export const IMAGE_FACTS_CACHE_ENTRIES = 200_000;

/**
 * Asks `inner` once per distinct key: concurrent asks share the one promise in flight, later asks
 * get the stored answer. Oldest entries are evicted past `maxEntries`. A failed lookup (a storage
 * error) is not kept, so the next ask tries again.
 */
export class CachedImageFacts implements ImageFactsSource {
  private readonly known = new Map<string, Promise<ImageFacts>>();

  constructor(
    private readonly inner: ImageFactsSource,
    private readonly maxEntries = IMAGE_FACTS_CACHE_ENTRIES,
  ) {}

  factsOf(key: string): Promise<ImageFacts> {
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    const answer = this.inner.factsOf(key);
    this.known.set(key, answer);
    answer.catch(() => this.known.delete(key));
    if (this.known.size > this.maxEntries) this.known.delete(this.known.keys().next().value!);
    return answer;
  }
}

/**
 * The default source of a dataset's images: its store, probed at the config's imageCheck level
 * (raised to `header` where the image-token rule needs sizes), each distinct key once.
 */
export function datasetImageFacts(store: ObjectStore, config: Pick<DatasetConfig, 'imageCheck' | 'imageTokens'>): ImageFactsSource {
  return new CachedImageFacts(new StoreImageProbe(store, effectiveImageCheck(config.imageCheck, config.imageTokens)));
}
