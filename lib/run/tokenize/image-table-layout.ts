/**
 * Where the run's image table lives, and the small JSON documents that index it: the table's
 * index (which folders were listed), and per folder the index of its pages (each page one
 * ListImages call's listing, in S3's key order, named by its first key so a lookup reads one page).
 */
import { z } from 'zod';

/** The table's index in the run folder: which folders were listed, into which parts. */
export const IMAGE_TABLE_KEY = 'images/table.json';
/** The ListImages map's items (a JSON array; empty when listings do not answer the check). */
export const IMAGE_LISTING_KEY = 'images/listing.json';

const count = z.number().int().min(0);

/**
 * The image checks a table can answer once per run: `exists` from the listing alone, `header` by
 * reading each listed image's header in the call that lists it. `decode` (every image read whole)
 * stays with Tokenize's per-call probe.
 */
export const tableCheckLevelSchema = z.enum(['exists', 'header']);
export type TableCheckLevel = z.infer<typeof tableCheckLevelSchema>;

/**
 * One ListImages call: list `prefix` (a folder of the dataset's image root, part `part` of the
 * table) from after `startAfter` (none: from its first key), at most `imagesPerCall` images, into
 * page `page` of the part, checking each at level `check`. The map's items are each folder's first call; a call whose folder goes
 * on returns the next call's item.
 */
export const imageListingItemSchema = z
  .object({
    part: count,
    prefix: z.string(),
    check: tableCheckLevelSchema,
    imagesPerCall: z.number().int().min(1),
    page: count.optional(),
    startAfter: z.string().optional(),
  })
  .strict();
export type ImageListingItem = z.infer<typeof imageListingItemSchema>;

/** A folder listed into a part (the table's index lists them). */
export const imageTableFolderSchema = z.object({ part: count, prefix: z.string() }).strict();
export type ImageTableFolder = z.infer<typeof imageTableFolderSchema>;

export const imageTableSchema = z
  .object({ kind: z.literal('image-table'), formatVersion: z.literal(2), checkLevel: tableCheckLevelSchema, parts: z.array(imageTableFolderSchema) })
  .strict();

/** One page of a part: its first key (pages are in key order, so a key lies in the last page starting at or before it). */
export const imagePageSchema = z.object({ page: count, firstKey: z.string(), images: count }).strict();
export type ImagePage = z.infer<typeof imagePageSchema>;

/** A part's pages, written by the call listing its last page. */
export const imageFolderPagesSchema = z
  .object({ kind: z.literal('image-folder-pages'), formatVersion: z.literal(1), prefix: z.string(), pages: z.array(imagePageSchema) })
  .strict();
export type ImageFolderPages = z.infer<typeof imageFolderPagesSchema>;

const six = (n: number): string => String(n).padStart(6, '0');

/** Key of page `page` of part `part`. */
export function imageTablePageKey(part: number, page: number): string {
  return `images/part-${six(part)}/page-${six(page)}.arrow`;
}

/** Key of the record of a page that is not its folder's last (read back by the call listing the last). */
export function imagePageRecordKey(part: number, page: number): string {
  return `images/part-${six(part)}/page-${six(page)}.json`;
}

/** Key of part `part`'s index of pages. */
export function imageFolderPagesKey(part: number): string {
  return `images/part-${six(part)}/pages.json`;
}
