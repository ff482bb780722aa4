/**
 * The run's image table: each image checked once per run, by listing. Where the dataset's check is
 * `exists` and the image-token rule needs no sizes (the fixed rule), a ListObjectsV2 page answers
 * for 1,000 images at once — exists, and not empty; at `header` (or a rule that needs sizes) the
 * call that lists an image also reads its header, once per run — so the table is built from listings of the
 * image root's folders (the ListImages fan-out, one folder per call, one table part each) and every
 * Tokenize call looks images up in it instead of sending one HEAD per image, reading only the parts
 * of the folders its records refer to. Checks a listing cannot make (`header`,
 * `decode`, sizes for anyres or dynamic rules) stay with the store probe.
 */
import { decodeImageTablePart, type ImageTableRows } from '../../arrow/image-table-file.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { resolveTuning } from '../../core/dataset/tuning.js';
import { effectiveImageCheck, type ImageFacts } from '../../core/images/image-check.js';
import { SortedUtf8Keys } from '../../core/images/sorted-utf8-keys.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { utf8At } from '../../core/index/length-index.js';
import { getIfPresent, listFoldersOf, type ObjectStore } from '../../io/object-store.js';
import {
  IMAGE_LISTING_KEY,
  IMAGE_TABLE_KEY,
  imageFolderPagesKey,
  imageFolderPagesSchema,
  imageTablePageKey,
  imageTableSchema,
  type ImageListingItem,
  type ImageTableFolder,
  type TableCheckLevel,
} from './image-table-layout.js';

/**
 * The level at which the run's table answers the dataset's image check (the check as the
 * image-token rule raises it), or undefined when the table cannot: `decode` and `none`.
 */
export function tableCheckLevel(config: Pick<DatasetConfig, 'imageCheck' | 'imageTokens'>): TableCheckLevel | undefined {
  const level = effectiveImageCheck(config.imageCheck, config.imageTokens);
  return level === 'exists' || level === 'header' ? level : undefined;
}

/** Whether the run's table answers the dataset's image check. */
export function listingAnswers(config: Pick<DatasetConfig, 'imageCheck' | 'imageTokens'>): boolean {
  return tableCheckLevel(config) !== undefined;
}

/** Plan the listing (one item per folder of the image root) and write the table's index; no items when listings do not answer. */
export async function planImageListing(dataset: ObjectStore, config: DatasetConfig, run: ObjectStore): Promise<{ listingKey: string; parts: number }> {
  const check = tableCheckLevel(config);
  if (check === undefined) {
    await run.put(IMAGE_LISTING_KEY, '[]');
    return { listingKey: IMAGE_LISTING_KEY, parts: 0 };
  }
  const root = `${config.imageRoot.replace(/\/+$/, '')}/`;
  const folders = await listFoldersOf(dataset, root);
  const prefixes = folders.length === 0 ? [root] : folders.map((folder) => `${root}${folder}/`);
  const parts: ImageTableFolder[] = prefixes.map((prefix, part) => ({ part, prefix }));
  const { imagesPerListCall, imagesPerHeaderCall } = resolveTuning(config.tuning);
  // A header read is a request per image: its page is the smaller budget of the two.
  const imagesPerCall = check === 'header' ? Math.min(imagesPerListCall, imagesPerHeaderCall) : imagesPerListCall;
  const items: ImageListingItem[] = parts.map((folder) => ({ ...folder, check, imagesPerCall }));
  await run.put(IMAGE_LISTING_KEY, JSON.stringify(items));
  await run.put(IMAGE_TABLE_KEY, `${JSON.stringify({ kind: 'image-table', formatVersion: 2, checkLevel: check, parts }, null, 2)}\n`);
  return { listingKey: IMAGE_LISTING_KEY, parts: parts.length };
}

/**
 * The table's index (which folders were listed), its pages read lazily: a Tokenize call holds only
 * the pages its records' keys fall in; undefined when the run has none.
 */
export async function readImageTable(run: ObjectStore): Promise<ImageTable | undefined> {
  const bytes = await getIfPresent(run, IMAGE_TABLE_KEY);
  if (bytes === undefined) return undefined;
  const index = parseJsonArtifact(bytes, imageTableSchema, `${run.location}/${IMAGE_TABLE_KEY}`);
  return new ImageTable(run, index.parts, index.checkLevel);
}

/** One page of the table decoded: its rows, and their keys indexed for exact and prefix lookups. */
interface TablePage {
  readonly rows: ImageTableRows;
  readonly keys: SortedUtf8Keys;
}

/** A folder's pages: their numbers and first keys (UTF-8), ascending. */
interface FolderPages {
  readonly pages: readonly number[];
  readonly firstKeys: readonly Uint8Array[];
}

const utf8 = new TextEncoder();

/** Facts of the listed folders' images; `covers` says whether a key lies in a listed folder. */
export class ImageTable {
  private readonly folders = new Map<number, Promise<FolderPages>>();
  private readonly pages = new Map<string, Promise<TablePage>>();

  constructor(
    private readonly run: ObjectStore,
    private readonly parts: readonly ImageTableFolder[],
    /** The check the table's facts answer. */
    readonly checkLevel: TableCheckLevel,
  ) {}

  /** Whether the key lies under a listed folder (its absence from the table then means it is missing). */
  covers(key: string): boolean {
    return this.partOf(key) !== undefined;
  }

  /** What the listing says about a covered key: its facts, or missing (a folder named as an image says so). */
  async factsOf(key: string): Promise<ImageFacts> {
    const item = this.partOf(key);
    if (item === undefined) return { ok: false, reason: 'missing image file' };
    const folder = await this.folder(item.part);
    const keyBytes = utf8.encode(key);
    const at = pageHolding(folder, keyBytes);
    if (at >= 0) {
      const { rows, keys } = await this.page(item.part, folder.pages[at]!);
      const row = keys.rowOf(keyBytes);
      if (row >= 0)
        return rows.ok[row] === 1 ? { ok: true, width: rows.widths[row]!, height: rows.heights[row]! } : { ok: false, reason: utf8At(rows.reasons, row) };
    }
    return {
      ok: false,
      reason: (await this.isFolder(item.part, folder, key.endsWith('/') ? key : `${key}/`)) ? 'is a folder, not an image file' : 'missing image file',
    };
  }

  /** Whether a listed key starts with `prefix`: in the page where the prefix would lie, or as the next page's first key. */
  private async isFolder(part: number, folder: FolderPages, prefix: string): Promise<boolean> {
    const prefixBytes = utf8.encode(prefix);
    const at = pageHolding(folder, prefixBytes);
    if (at >= 0 && (await this.page(part, folder.pages[at]!)).keys.hasKeyStartingWith(prefixBytes)) return true;
    const next = folder.firstKeys[at + 1];
    return next !== undefined && startsWith(next, prefixBytes);
  }

  /** The listed folder holding `key` (folders are disjoint; the root itself when it had none). */
  private partOf(key: string): ImageTableFolder | undefined {
    return this.parts.find((item) => key.startsWith(item.prefix));
  }

  /** Read a folder's index of pages, once (concurrent lookups share the read). */
  private folder(part: number): Promise<FolderPages> {
    let loading = this.folders.get(part);
    if (loading === undefined) {
      loading = readFolderPages(this.run, part);
      this.folders.set(part, loading);
    }
    return loading;
  }

  /** Read and decode one page, once. */
  private page(part: number, page: number): Promise<TablePage> {
    const key = imageTablePageKey(part, page);
    let loading = this.pages.get(key);
    if (loading === undefined) {
      loading = decodePage(this.run, key);
      this.pages.set(key, loading);
    }
    return loading;
  }
}

async function readFolderPages(run: ObjectStore, part: number): Promise<FolderPages> {
  const key = imageFolderPagesKey(part);
  const { pages } = parseJsonArtifact(await run.get(key), imageFolderPagesSchema, `${run.location}/${key}`);
  return { pages: pages.map((p) => p.page), firstKeys: pages.map((p) => utf8.encode(p.firstKey)) };
}

async function decodePage(run: ObjectStore, key: string): Promise<TablePage> {
  const { rows, count: n } = decodeImageTablePart(await run.get(key), `${run.location}/${key}`);
  return { rows, keys: new SortedUtf8Keys(rows.keys, n) };
}

/** Index of the last page whose first key is ≤ `key` in byte order (the page that would hold it); −1 before the first. */
function pageHolding(folder: FolderPages, key: Uint8Array): number {
  let low = 0;
  let high = folder.firstKeys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(folder.firstKeys[middle]!, key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
