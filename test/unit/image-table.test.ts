/**
 * The run's image table: built from listings of the image root's folders (no HEAD per image), it
 * answers exactly as the `exists` probe does — usable, empty, missing, a folder — and keys outside
 * the listed folders still go to the probe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import type { DatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { CountingObjectStore, emptyRequestCounts } from '../../lib/io/counting-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { listingAnswers, planImageListing, tableCheckLevel } from '../../lib/run/tokenize/image-table.js';
import { BROKEN_IMAGES, GOOD_IMAGES, writeFaultImages } from '../helpers/fault-images.js';
import { IMAGE_LISTING_KEY, imageListingItemSchema, type ImageListingItem } from '../../lib/run/tokenize/image-table-layout.js';
import { listImagePage } from '../../lib/run/tokenize/list-image-page.js';
import { probeImage } from '../../lib/run/tokenize/probe-image.js';
import { StoreImageProbe } from '../../lib/run/tokenize/image-facts-source.js';
import { runImageFacts } from '../../lib/run/tokenize/table-image-facts.js';

const FIXED = { kind: 'fixed', tokensPerImage: 576 } as const;
const config = (imageCheck: string, imageTokens: unknown = FIXED) => ({ imageRoot: 'images', imageCheck, imageTokens }) as unknown as DatasetConfig;

let tmp: string;
beforeAll(async () => (tmp = await makeTempDir('image-table')));
afterAll(() => removeTempDir(tmp));

describe('image table', () => {
  it('answers exists and header checks (a rule needing sizes raises exists to header), not decode or none', () => {
    const anyres = { kind: 'anyres', grid: [[336, 672]], patchSize: 336, tokensPerPatch: 576 };
    expect([tableCheckLevel(config('exists')), tableCheckLevel(config('header')), tableCheckLevel(config('exists', anyres))]).toEqual([
      'exists',
      'header',
      'header',
    ]);
    expect([listingAnswers(config('decode')), listingAnswers(config('none'))]).toEqual([false, false]);
  });

  it('at header level reads each listed image once, in the listing call, and answers exactly as the header probe', async () => {
    // The image root `set` holds one folder, `images`, with every fault: the table covers them all.
    await writeFaultImages(`${tmp}/faults/set`);
    const dataset = new FsObjectStore(`${tmp}/faults`);
    const run = new MemoryObjectStore('memory://header/');
    await planImageListing(dataset, { ...config('header'), imageRoot: 'set', tuning: { imagesPerHeaderCall: 3 } } as DatasetConfig, run);
    const items = imageListingItemSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(IMAGE_LISTING_KEY))));
    expect(items.every((item) => item.check === 'header' && item.imagesPerCall === 3)).toBe(true);
    for (const item of items) await listFolder(dataset, run, item);
    const probe = new StoreImageProbe(dataset, 'header');
    const facts = await runImageFacts(run, probe);
    const keys = [...Object.keys(GOOD_IMAGES), ...BROKEN_IMAGES.map((image) => image.ref)].map((ref) => `set/images/${ref}`);
    for (const key of keys) expect(await facts.factsOf(key), key).toEqual(await probeImage(dataset, key, 'header'));
    expect(await facts.factsOf('set/images/good-a.jpg')).toEqual({ ok: true, width: 64, height: 48 });
    expect(probe.probes).toBe(0);
  });

  it('answers as the exists probe does, one LIST per folder page and no HEAD, and leaves unlisted keys to the probe', async () => {
    const counts = emptyRequestCounts();
    // A folder store: it tells a folder from a missing file, as S3's listing does.
    const dataset = new CountingObjectStore(new FsObjectStore(tmp), () => counts);
    for (let i = 0; i < 30; i++) await dataset.put(`images/a/${i}.jpg`, new Uint8Array([1, 2, 3]));
    await dataset.put('images/b/empty.jpg', new Uint8Array(0));
    await dataset.put('images/b/sub/x.jpg', new Uint8Array([1]));
    const run = new MemoryObjectStore('memory://run/');
    expect(await planImageListing(dataset, config('exists'), run)).toEqual({ listingKey: IMAGE_LISTING_KEY, parts: 2 });
    const items = imageListingItemSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(IMAGE_LISTING_KEY))));
    for (const item of items) await listFolder(dataset, run, item);
    const before = { ...counts };
    const probe = new StoreImageProbe(dataset, 'exists');
    const facts = await runImageFacts(run, probe);
    const keys = ['images/a/3.jpg', 'images/b/empty.jpg', 'images/a/99.jpg', 'images/b/sub', 'images/b/sub/x.jpg'];
    for (const key of keys) expect(await facts.factsOf(key), key).toEqual(await probeImage(dataset, key, 'exists'));
    expect(probe.probes).toBe(0);
    expect(counts.list - before.list).toBe(0);
    expect(before.list).toBe(1 + 2);
    await dataset.put('images/top.jpg', new Uint8Array([9]));
    expect(await facts.factsOf('images/top.jpg')).toEqual({ ok: true, width: 0, height: 0 });
    expect(probe.probes).toBe(1);
  });

  it('reads the part of a folder only when a record refers to an image in it, once', async () => {
    const dataset = new FsObjectStore(`${tmp}/lazy`);
    for (const folder of ['a', 'b', 'c']) await dataset.put(`images/${folder}/1.jpg`, new Uint8Array([1]));
    const counts = emptyRequestCounts();
    const run = new CountingObjectStore(new MemoryObjectStore('memory://lazy-run/'), () => counts);
    await planImageListing(dataset, config('exists'), run);
    for (let part = 0; part < 3; part++)
      await listFolder(dataset, run, { part, prefix: `images/${['a', 'b', 'c'][part]}/`, check: 'exists', imagesPerCall: 100 });
    const before = counts.get;
    const facts = await runImageFacts(run, new StoreImageProbe(dataset, 'exists'));
    await Promise.all([facts.factsOf('images/b/1.jpg'), facts.factsOf('images/b/2.jpg')]);
    expect(await facts.factsOf('images/b/1.jpg')).toEqual({ ok: true, width: 0, height: 0 });
    // The table's index, then folder b's index of pages and its one page, read once for three lookups.
    expect(counts.get - before).toBe(3);
  });

  it('lists a folder larger than a call by successive calls, and answers exactly as one call would', async () => {
    const dataset = new FsObjectStore(`${tmp}/paged`);
    // Keys around page edges: a folder whose files sort on both sides of another page's first key, an empty file, non-ASCII names.
    const names = [...Array.from({ length: 23 }, (_, i) => `${String(i).padStart(2, '0')}.jpg`), 'sub/x.jpg', 'sub/y.jpg', 'é.jpg', '中.jpg', 'zz.jpg'];
    for (const name of names) await dataset.put(`images/a/${name}`, new Uint8Array(name === '07.jpg' ? 0 : 3));
    const probe = new StoreImageProbe(dataset, 'exists');
    const lookups = [...names, 'sub', 'su', '99.jpg', '', 'zzz.jpg', 'a'].map((name) => `images/a/${name}`);
    const answers = async (imagesPerCall: number) => {
      const counts = emptyRequestCounts();
      const run = new MemoryObjectStore(`memory://paged-${imagesPerCall}/`);
      await planImageListing(dataset, config('exists'), run);
      const calls = await listFolder(new CountingObjectStore(dataset, () => counts), run, { part: 0, prefix: 'images/a/', check: 'exists', imagesPerCall });
      const facts = await runImageFacts(run, probe);
      return { calls, lists: counts.list, facts: await Promise.all(lookups.map((key) => facts.factsOf(key))) };
    };
    const whole = await answers(1000);
    expect(whole.calls).toBe(1);
    for (const imagesPerCall of [1, 2, 5, 24]) {
      const paged = await answers(imagesPerCall);
      expect(paged.calls).toBe(Math.ceil(names.length / imagesPerCall));
      expect(paged.facts).toEqual(whole.facts);
    }
    expect(whole.facts).toEqual(await Promise.all(lookups.map((key) => probeImage(dataset, key, 'exists'))));
    expect(probe.probes).toBe(0);
  });

  it('takes its page budget from the tuning block', async () => {
    const dataset = new FsObjectStore(`${tmp}/lazy`);
    const run = new MemoryObjectStore('memory://tuned/');
    await planImageListing(dataset, { ...config('exists'), tuning: { imagesPerListCall: 7 } } as DatasetConfig, run);
    const items = imageListingItemSchema.array().parse(JSON.parse(new TextDecoder().decode(await run.get(IMAGE_LISTING_KEY))));
    expect(items.map((item) => item.imagesPerCall)).toEqual([7, 7, 7]);
  });
});

/** List a folder as the state machine does: call after call until a call returns no next item; returns how many calls. */
async function listFolder(dataset: ObjectStore, run: ObjectStore, first: ImageListingItem): Promise<number> {
  let calls = 0;
  for (let item: ImageListingItem | null = first; item !== null; calls++) item = (await listImagePage(dataset, run, item)).next;
  return calls;
}
