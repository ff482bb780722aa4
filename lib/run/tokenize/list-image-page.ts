import { encodeImageTablePart } from '../../arrow/image-table-file.js';
import { parseJsonArtifact } from '../../core/json-artifact.js';
import { DEFAULT_REQUESTS_IN_FLIGHT, mapWithConcurrency } from '../../io/bounded-concurrency.js';
import { listPageOf, type ListedObject, type ObjectStore } from '../../io/object-store.js';
import { probeImage } from './probe-image.js';
import {
  imageFolderPagesKey,
  imagePageRecordKey,
  imagePageSchema,
  imageTablePageKey,
  type ImageFolderPages,
  type ImageListingItem,
  type ImagePage,
  type TableCheckLevel,
} from './image-table-layout.js';

/** What one ListImages call did, and the item of the call that lists the rest of its folder (null: the folder is done). */
export interface ListedImagePage {
  readonly part: number;
  readonly page: number;
  readonly images: number;
  readonly next: ImageListingItem | null;
}

/**
 * List one page of a folder — at most `imagesPerCall` images after `startAfter`, a LIST request
 * per 1,000 — into its page of the table, each image checked at the item's level. A
 * folder larger than a call's budget is listed by successive calls (the state machine loops on
 * `next`), so no call's work grows with the folder. The call listing the folder's last page
 * writes the folder's index of pages, from the records the earlier pages left.
 */
export async function listImagePage(dataset: ObjectStore, run: ObjectStore, item: ImageListingItem): Promise<ListedImagePage> {
  const page = item.page ?? 0;
  const listed = await listPageOf(dataset, item.prefix, item.startAfter, item.imagesPerCall);
  const entries = await checkListed(dataset, listed.objects, item.check);
  const last = entries.at(-1);
  const here: ImagePage | undefined = last === undefined ? undefined : { page, firstKey: entries[0]!.key, images: entries.length };
  if (here !== undefined) await run.put(imageTablePageKey(item.part, page), encodeImageTablePart(entries, item.check));
  const more = listed.more && last !== undefined;
  if (more) {
    await run.put(imagePageRecordKey(item.part, page), JSON.stringify(here));
  } else {
    const pages = await earlierPages(run, item.part, page);
    if (here !== undefined) pages.push(here);
    const index: ImageFolderPages = { kind: 'image-folder-pages', formatVersion: 1, prefix: item.prefix, pages };
    await run.put(imageFolderPagesKey(item.part), `${JSON.stringify(index)}\n`);
  }
  const next = more ? { ...item, page: page + 1, startAfter: last.key } : null;
  return { part: item.part, page, images: entries.length, next };
}

/** A table row for one image. */
interface TableEntry {
  readonly key: string;
  readonly ok: boolean;
  readonly width: number;
  readonly height: number;
  readonly reason: string;
}

/**
 * The listed images' facts at `check`: `exists` from the listing itself (a size of 0 is an empty
 * file); `header` by reading each image's header here — the same probe Tokenize would make, so the
 * table answers exactly as it would, once per run instead of once per referring call.
 */
async function checkListed(dataset: ObjectStore, objects: readonly ListedObject[], check: TableCheckLevel): Promise<TableEntry[]> {
  if (check === 'exists') {
    return objects.map(({ key, bytes }) => ({ key, ok: bytes > 0, width: 0, height: 0, reason: bytes > 0 ? '' : 'empty image file (0 bytes)' }));
  }
  return mapWithConcurrency(objects.length, DEFAULT_REQUESTS_IN_FLIGHT, async (i) => {
    const { key } = objects[i]!;
    const facts = await probeImage(dataset, key, check);
    return facts.ok ? { key, ok: true, width: facts.width, height: facts.height, reason: '' } : { key, ok: false, width: 0, height: 0, reason: facts.reason };
  });
}

/** The records of a folder's pages before `page` (each non-empty, in order). */
async function earlierPages(run: ObjectStore, part: number, page: number): Promise<ImagePage[]> {
  return mapWithConcurrency(page, DEFAULT_REQUESTS_IN_FLIGHT, async (earlier) => {
    const key = imagePageRecordKey(part, earlier);
    return parseJsonArtifact(await run.get(key), imagePageSchema, `${run.location}/${key}`);
  });
}
