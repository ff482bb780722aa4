/**
 * Issue 13's faults, one regression test each: every fault of one record — a malformed image
 * reference, a broken image, invalid text, a missing ',' — is a reject with a precise reason under
 * every image-token rule, and the chunk goes on; only the store failing stops it, as a typed error
 * naming the store; an unexpected exception is an UnexpectedError naming task, chunk and source.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLengthIndex } from '../../lib/arrow/index.js';
import { utf8At } from '../../lib/core/index/length-index.js';
import { resolveDatasetConfig, type DatasetConfig } from '../../lib/core/dataset/dataset-config.js';
import { StorageError, UnexpectedError } from '../../lib/core/errors.js';
import { effectiveImageCheck, type ImageCheckLevel } from '../../lib/core/images/image-check.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { planDatasetChunks } from '../../lib/run/prepare/plan-dataset-chunks.js';
import { CachedImageFacts, StoreImageProbe } from '../../lib/run/tokenize/image-facts-source.js';
import { createChunkTokenizer, tokenizeChunk } from '../../lib/run/tokenize/tokenize-chunk.js';
import { tokenizeChunkBatch } from '../../lib/run/tokenize/tokenize-chunk-batch.js';
import { CountingStore } from '../helpers/counting-store.js';
import { FakeTokenizer } from '../helpers/fake-tokenizer.js';
import { BROKEN_IMAGES, isCaught, writeFaultImages } from '../helpers/fault-images.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('record-faults');
  await writeFaultImages(dir);
  await mkdir(join(dir, 'data'));
});
afterAll(() => removeTempDir(dir));

const RULES = { fixed: { kind: 'fixed' }, anyres: { kind: 'anyres' }, dynamic: { kind: 'dynamic' } } as const;
type RuleName = keyof typeof RULES;

const record = (id: string, image?: string) => ({
  id,
  ...(image === undefined ? {} : { image }),
  conversations: [
    { from: 'human', value: image === undefined ? 'What is it?' : '<image>\nWhat is it?' },
    { from: 'gpt', value: 'A picture.' },
  ],
});

function datasetConfig(source: string, rule: RuleName, imageCheck: ImageCheckLevel = 'header'): DatasetConfig {
  return resolveDatasetConfig({
    name: 'faults',
    sources: [{ path: source, format: 'llava' }],
    tokenizer: { npm: 'llama2' },
    template: { name: 'vicuna_v1' },
    imageTokens: RULES[rule],
    imageCheck,
    chunkBytes: 512,
    shard: { seed: 1, worldSize: 1, perDeviceBatchSize: 1 },
  }).config;
}

interface Outcome {
  readonly accepted: string[];
  readonly rejects: Array<{ byteOffset: number; recordId: string | null; reason: string }>;
}

/** Write `text` as `data/<name>`, tokenize every chunk of it (small chunks) and gather the outcome. */
async function tokenizeText(
  name: string,
  text: string,
  rule: RuleName,
  level?: ImageCheckLevel,
  store: ObjectStore = new FsObjectStore(dir),
): Promise<Outcome> {
  await writeFile(join(dir, 'data', name), text);
  const config = datasetConfig(`data/${name}`, rule, level);
  const bound = await createChunkTokenizer(config, new FakeTokenizer());
  const out = new MemoryObjectStore();
  const outcome: Outcome = { accepted: [], rejects: [] };
  for (const task of await planDatasetChunks(store, config)) {
    const summary = await tokenizeChunk(task, { store, config }, bound, { store: out, prefix: '' });
    const lines = new TextDecoder()
      .decode(await out.get(summary.keys.rejects))
      .split('\n')
      .filter(Boolean);
    outcome.rejects.push(...lines.map((line) => JSON.parse(line)));
    const { index } = decodeLengthIndex(await out.get(summary.keys.index));
    for (let row = 0; row < index.sampleCount; row++) outcome.accepted.push(utf8At(index.recordIds, row));
  }
  return outcome;
}

const jsonArray = (records: unknown[]): string => `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;

/** Malformed references, each with the reason it must be rejected with. */
const MALFORMED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['climbs out of the image root', '../outside.jpg', /^image "\.\.\/outside\.jpg": climbs out of the image root \("images"\) with "\.\."$/],
  ['absolute (never re-rooted)', '/images/good-a.jpg', /: is absolute; image references are relative to the image root/],
  ['names a folder', 'a-folder.jpg', /^image "a-folder\.jpg": is a folder, not an image file$/],
  ['holds a NUL byte', 'bad\u0000name.jpg', /: contains the control character U\+0000 at character 3; an image path is printable text$/],
  ['holds a tab', 'tab\there.jpg', /: contains the control character U\+0009 at character 3/],
  ['is a URL', 'https://example.com/x.jpg', /: is a URL \(https:\); download the images into the image root/],
  ['holds a backslash', 'sub\\good-c.jpg', /: contains a backslash; separate folders with '\/'$/],
  ['has an empty segment', 'sub//good-c.jpg', /: has an empty or "\." path segment/],
  ['starts with ./', './good-a.jpg', /: has an empty or "\." path segment/],
  ['has a 300-byte file name', `${'x'.repeat(300)}.jpg`, /: has a path segment of 304 bytes, over the 255-byte limit of a file name$/],
  ['is over 1,024 bytes', `${'d/'.repeat(520)}x.jpg`, /: is 1052 bytes long with the image root, over the 1024-byte limit of an object key$/],
  ['is empty', '', /^image: an image path must not be empty$/],
  ['holds a lone surrogate', 'a\ud800.jpg', /^image: lone UTF-16 surrogate \\ud800 at character 1: not valid text/],
];

describe('a malformed image reference is a reject of its record, under every rule', () => {
  it.each(Object.keys(RULES) as RuleName[])('%s rule', async (rule) => {
    const records = [record('ok-1', 'good-a.jpg'), ...MALFORMED.map(([, ref], k) => record(`bad-${k}`, ref)), record('ok-2', 'sub/good-c.jpg'), record('ok-3')];
    const outcome = await tokenizeText(`malformed-${rule}.json`, jsonArray(records), rule);
    expect(outcome.accepted).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(outcome.rejects).toHaveLength(MALFORMED.length);
    MALFORMED.forEach(([what, , reason], k) => {
      const reject = outcome.rejects.find((r) => r.recordId === `bad-${k}`);
      expect(reject?.reason, what).toMatch(reason);
    });
  });
});

describe('a broken image is a reject at the level that can see it', () => {
  const cases = (['exists', 'header', 'decode'] as const).flatMap((level) => (Object.keys(RULES) as RuleName[]).map((rule) => [level, rule] as const));
  it.each(cases)('imageCheck %s, %s rule', async (level, rule) => {
    const effective = effectiveImageCheck(level, datasetConfig('x.json', rule).imageTokens);
    const records = [record('ok-1', 'good-b.png'), ...BROKEN_IMAGES.map((image, k) => record(`broken-${k}`, image.ref)), record('ok-2', 'good-a.jpg')];
    const outcome = await tokenizeText(`broken-${level}-${rule}.jsonl`, records.map((r) => JSON.stringify(r)).join('\n'), rule, level);
    BROKEN_IMAGES.forEach((image, k) => {
      const reject = outcome.rejects.find((r) => r.recordId === `broken-${k}`);
      if (isCaught(image, effective)) expect(reject?.reason.replace(/^image "[^"]*": /, ''), image.ref).toMatch(image.reason);
      else expect(outcome.accepted, image.ref).toContain(`broken-${k}`);
    });
    expect(outcome.accepted).toEqual(expect.arrayContaining(['ok-1', 'ok-2']));
    expect(outcome.accepted.length + outcome.rejects.length).toBe(records.length);
  });

  it('"none" looks at no image (references are still validated)', async () => {
    const counting = new CountingStore(new FsObjectStore(dir));
    const records = [record('ok', 'absent.jpg'), record('bad', '../outside.jpg')];
    const outcome = await tokenizeText('none.json', jsonArray(records), 'fixed', 'none', counting);
    expect(outcome.accepted).toEqual(['ok']);
    expect(outcome.rejects.map((r) => r.recordId)).toEqual(['bad']);
    expect(counting.reads.filter((read) => read.key.startsWith('images/'))).toEqual([]);
  });

  it('"none" with a rule that reads sizes is a config error naming the field', () => {
    expect(() => datasetConfig('x.json', 'anyres', 'none')).toThrow(/dataset\.json\.imageCheck: "none" cannot be used with the anyres image-token rule/);
  });
});

describe('invalid text and broken structure name the record', () => {
  it('a lone UTF-16 surrogate in a turn is rejected with its field path, not trained as U+FFFD', async () => {
    const text = `[${JSON.stringify(record('fine'))},\n{"id":"lone","conversations":[{"from":"human","value":"hi \\ud800 there"},{"from":"gpt","value":"ok"}]}]`;
    const outcome = await tokenizeText('surrogate.json', text, 'fixed');
    expect(outcome.accepted).toEqual(['fine']);
    expect(outcome.rejects).toEqual([
      expect.objectContaining({ recordId: 'lone', reason: expect.stringMatching(/^conversations\[0\]\.value: lone UTF-16 surrogate \\ud800 at character 3/) }),
    ]);
  });

  it('a missing comma between array records is reported at the fault, naming the record it damaged', async () => {
    const [a, b, c] = [JSON.stringify(record('a')), JSON.stringify(record('b')), JSON.stringify(record('c'))];
    const text = `[\n${a}\n  ${b},\n${c}\n]\n`;
    const outcome = await tokenizeText('missing-comma.json', text, 'fixed');
    const fault = text.indexOf(a) + a.length;
    expect(outcome.accepted).toEqual(['a', 'c']);
    expect(outcome.rejects).toEqual([
      {
        source: 'data/missing-comma.json',
        byteOffset: fault,
        recordId: 'b',
        reason: `missing ',' at byte ${fault} before the record at byte ${text.indexOf(b)} (found '{' where ',' or ']' was expected); the record is rejected: add the ','`,
      },
    ]);
  });
});

describe('each distinct image is checked once', () => {
  it('per chunk by default, and across chunks when a source is shared', async () => {
    const records = Array.from({ length: 40 }, (_, k) => record(`r${k}`, k % 2 === 0 ? 'good-a.jpg' : 'sub/good-c.jpg'));
    await writeFile(join(dir, 'data', 'shared.json'), jsonArray(records));
    const store = new FsObjectStore(dir);
    const config = { ...datasetConfig('data/shared.json', 'anyres'), chunkBytes: 1 << 20 };
    const bound = await createChunkTokenizer(config, new FakeTokenizer());
    const [task] = await planDatasetChunks(store, config);
    const counting = new CountingStore(store);
    await tokenizeChunk(task!, { store: counting, config }, bound, { store: new MemoryObjectStore(), prefix: '' });
    expect(
      counting.reads
        .filter((read) => read.key.startsWith('images/'))
        .map((read) => read.key)
        .sort(),
    ).toEqual(['images/good-a.jpg', 'images/sub/good-c.jpg']);
    const probe = new StoreImageProbe(store, 'header');
    const images = new CachedImageFacts(probe);
    for (const chunk of await planDatasetChunks(store, { ...config, chunkBytes: 256 })) {
      await tokenizeChunk(chunk, { store, config, images }, bound, { store: new MemoryObjectStore(), prefix: '' });
    }
    expect(probe.probes).toBe(2);
  });
});

/** A store whose image reads fail as `failure` does: the store, not the record, is at fault. */
function failingImages(inner: ObjectStore, failure: () => Error): ObjectStore {
  const fail = (key: string) => key.startsWith('images/');
  return {
    location: inner.location,
    get: (key) => (fail(key) ? Promise.reject(failure()) : inner.get(key)),
    getRange: (key, start, end) => (fail(key) ? Promise.reject(failure()) : inner.getRange(key, start, end)),
    put: (key, body) => inner.put(key, body),
    exists: (key) => inner.exists(key),
    size: (key) => (fail(key) ? Promise.reject(failure()) : inner.size(key)),
    list: (prefix) => inner.list(prefix),
  };
}

describe('only the store failing stops a chunk', () => {
  it('a storage failure is a typed error naming the store, not a reject', async () => {
    const store = failingImages(
      new FsObjectStore(dir),
      () => new StorageError('s3://bucket/images/good-a.jpg', 'AccessDenied: check the role can read the image prefix'),
    );
    await expect(tokenizeText('denied.json', jsonArray([record('a', 'good-a.jpg')]), 'fixed', 'header', store)).rejects.toMatchObject({
      name: 'StorageFailed',
      message: 's3://bucket/images/good-a.jpg: AccessDenied: check the role can read the image prefix',
    });
  });

  it('an unexpected exception in the Tokenize task is an UnexpectedError naming the task, chunk and source', async () => {
    await writeFile(join(dir, 'data', 'bug.json'), jsonArray([record('a', 'good-a.jpg')]));
    const datasetStore = new FsObjectStore(dir);
    const config = datasetConfig('data/bug.json', 'fixed');
    await writeFile(join(dir, 'dataset.json'), JSON.stringify({ ...config, shard: { seed: 1, worldSize: 1, perDeviceBatchSize: 1 } }));
    const tasks = await planDatasetChunks(datasetStore, config);
    const broken = failingImages(datasetStore, () => new TypeError("Cannot read properties of undefined (reading 'length')"));
    const error = await tokenizeChunkBatch(broken, new MemoryObjectStore(), tasks).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnexpectedError);
    expect((error as Error).message).toBe(
      `Tokenize, chunk 0 of data/bug.json (bytes 0–${tasks[0]!.byteEnd}): unexpected TypeError: Cannot read properties of undefined (reading 'length') (a bug: please report it with this message)`,
    );
  });
});
