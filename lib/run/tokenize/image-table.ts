/**
 * The run's image table: each image checked once per run, by listing. Where the dataset's check is
 * `exists` and the image-token rule needs no sizes (the fixed rule), a ListObjectsV2 page answers
 * for 1,000 images at once — exists, and not empty — so the table is built from listings of the
 * image root's folders (the ListImages fan-out, one folder per call, one table part each) and every
 * Tokenize call looks images up in it instead of sending one HEAD per image, reading only the parts
 * of the folders its records refer to. Checks a listing cannot make (`header`,
 * `decode`, sizes for anyres or dynamic rules) stay with the store probe.
 */
import { z } from 'zod';
import { decodeImageTablePart, encodeImageTablePart, type ImageTableRows } from '../../arrow/image-table-file.js';
import type { DatasetConfig } from '../../core/dataset/dataset-config.js';
import { effectiveImageCheck, type ImageFacts } from '../../core/images/image-check.js';
import { needsImageSize } from '../../core/images/image-token-rule.js';
import { SortedUtf8Keys } from '../../core/images/sorted-utf8-keys.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { utf8At } from '../../core/index/length-index.js';
import { getIfPresent, listFoldersOf, listWithSizes, type ObjectStore } from '../../io/object-store.js';

/** The table's index in the run folder: which folders were listed, into which parts. */
export const IMAGE_TABLE_KEY = 'images/table.json';
/** The ListImages map's items (a JSON array; empty when listings do not answer the check). */
export const IMAGE_LISTING_KEY = 'images/listing.json';

const count = z.number().int().min(0);
/** One ListImages call: list `prefix` (a folder of the dataset's image root) into part `part`. */
export const imageListingItemSchema = z.object({ part: count, prefix: z.string() }).strict();
const imageTableSchema = z
  .object({ kind: z.literal('image-table'), formatVersion: z.literal(1), checkLevel: z.string(), parts: z.array(imageListingItemSchema) })
  .strict();
export type ImageListingItem = z.infer<typeof imageListingItemSchema>;

/** Key of part `part` of the table. */
export function imageTablePartKey(part: number): string {
  return `images/part-${String(part).padStart(6, '0')}.arrow`;
}

/** Whether listings answer the dataset's image check (existence and emptiness, no sizes). */
export function listingAnswers(config: Pick<DatasetConfig, 'imageCheck' | 'imageTokens'>): boolean {
  return effectiveImageCheck(config.imageCheck, config.imageTokens) === 'exists' && !needsImageSize(config.imageTokens);
}

/** Plan the listing (one item per folder of the image root) and write the table's index; no items when listings do not answer. */
export async function planImageListing(dataset: ObjectStore, config: DatasetConfig, run: ObjectStore): Promise<{ listingKey: string; parts: number }> {
  if (!listingAnswers(config)) {
    await run.put(IMAGE_LISTING_KEY, '[]');
    return { listingKey: IMAGE_LISTING_KEY, parts: 0 };
  }
  const root = `${config.imageRoot.replace(/\/+$/, '')}/`;
  const folders = await listFoldersOf(dataset, root);
  const prefixes = folders.length === 0 ? [root] : folders.map((folder) => `${root}${folder}/`);
  const parts = prefixes.map((prefix, part) => ({ part, prefix }));
  await run.put(IMAGE_LISTING_KEY, JSON.stringify(parts));
  await run.put(IMAGE_TABLE_KEY, `${JSON.stringify({ kind: 'image-table', formatVersion: 1, checkLevel: 'exists', parts }, null, 2)}\n`);
  return { listingKey: IMAGE_LISTING_KEY, parts: parts.length };
}

/** List one folder (its keys and sizes, a LIST request per 1,000 images) into its part of the table. */
export async function listImagePart(dataset: ObjectStore, run: ObjectStore, item: ImageListingItem): Promise<{ part: number; images: number }> {
  const listed = await listWithSizes(dataset, item.prefix);
  const entries = listed.map(({ key, bytes }) => ({ key, ok: bytes > 0, width: 0, height: 0, reason: bytes > 0 ? '' : 'empty image file (0 bytes)' }));
  await run.put(imageTablePartKey(item.part), encodeImageTablePart(entries, 'exists'));
  return { part: item.part, images: entries.length };
}

/**
 * The table's index (which folders were listed), its parts read lazily: a Tokenize call holds only
 * the parts of the folders its records refer to; undefined when the run has none.
 */
export async function readImageTable(run: ObjectStore): Promise<ImageTable | undefined> {
  const bytes = await getIfPresent(run, IMAGE_TABLE_KEY);
  if (bytes === undefined) return undefined;
  const index = parseJsonArtifact(bytes, imageTableSchema, `${run.location}/${IMAGE_TABLE_KEY}`);
  return new ImageTable(run, index.parts);
}

/** One part of the table decoded: its rows, and their keys indexed for exact and prefix lookups. */
interface TablePart {
  readonly rows: ImageTableRows;
  readonly keys: SortedUtf8Keys;
}

const utf8 = new TextEncoder();

/** Facts of the listed folders' images; `covers` says whether a key lies in a listed folder. */
export class ImageTable {
  private readonly loaded = new Map<number, Promise<TablePart>>();

  constructor(
    private readonly run: ObjectStore,
    private readonly parts: readonly ImageListingItem[],
  ) {}

  /** Whether the key lies under a listed folder (its absence from the table then means it is missing). */
  covers(key: string): boolean {
    return this.partOf(key) !== undefined;
  }

  /** What the listing says about a covered key: its facts, or missing (a folder named as an image says so). */
  async factsOf(key: string): Promise<ImageFacts> {
    const item = this.partOf(key);
    if (item === undefined) return { ok: false, reason: 'missing image file' };
    const { rows, keys } = await this.load(item.part);
    const row = keys.rowOf(utf8.encode(key));
    if (row >= 0)
      return rows.ok[row] === 1 ? { ok: true, width: rows.widths[row]!, height: rows.heights[row]! } : { ok: false, reason: utf8At(rows.reasons, row) };
    return { ok: false, reason: keys.hasKeyStartingWith(utf8.encode(`${key}/`)) ? 'is a folder, not an image file' : 'missing image file' };
  }

  /** The listed folder holding `key` (folders are disjoint; the root itself when it had none). */
  private partOf(key: string): ImageListingItem | undefined {
    return this.parts.find((item) => key.startsWith(item.prefix));
  }

  /** Read and decode one part, once (concurrent lookups share the read). */
  private load(part: number): Promise<TablePart> {
    let loading = this.loaded.get(part);
    if (loading === undefined) {
      loading = decodePart(this.run, part);
      this.loaded.set(part, loading);
    }
    return loading;
  }
}

async function decodePart(run: ObjectStore, part: number): Promise<TablePart> {
  const key = imageTablePartKey(part);
  const { rows, count: n } = decodeImageTablePart(await run.get(key), `${run.location}/${key}`);
  return { rows, keys: new SortedUtf8Keys(rows.keys, n) };
}
