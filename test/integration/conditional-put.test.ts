/**
 * The ObjectStore additions behind the run lock and the watcher: putIfAbsent (exclusive create on
 * a folder, If-None-Match on S3) and listFolders (one level, never the objects below), on every
 * adapter; and uploadFolder's parallel upload that still writes dataset.json last.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../lib/core/errors.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { listFoldersOf, listPageOf, type ObjectStore } from '../../lib/io/object-store.js';
import { RecordingStore } from '../../lib/io/recording-store.js';
import { S3ObjectStore } from '../../lib/io/s3-store.js';
import { uploadFolder } from '../../lib/io/upload-folder.js';
import { type S3rverHandle, startS3rver } from '../helpers/s3rver.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let s3: S3rverHandle;

beforeAll(async () => {
  tmp = await makeTempDir('conditional-put');
  s3 = await startS3rver(['folders-bucket']);
});
afterAll(async () => {
  await s3?.stop();
  await removeTempDir(tmp);
});

/** An S3 error as the SDK raises it: a name and the HTTP status. */
function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('putIfAbsent', () => {
  it("on a folder: exactly one of many concurrent creators wins, the winner's bytes are whole, no temporary is left", async () => {
    const store = new FsObjectStore(join(tmp, 'fs'));
    const bodies = Array.from({ length: 24 }, (_, i) => `{"holder":${i},"pad":"${'x'.repeat(4096)}"}`);
    const wins = await Promise.all(bodies.map((body) => store.putIfAbsent('runs/r.lock.json', body)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await readFile(join(tmp, 'fs', 'runs', 'r.lock.json'), 'utf8')).toBe(bodies[wins.indexOf(true)]);
    expect(await listFilesUnder(join(tmp, 'fs'))).toEqual(['runs/r.lock.json']);
    expect(await store.putIfAbsent('runs/r.lock.json', 'again')).toBe(false);
  });

  it('in memory and through a recording store: false leaves the object, and records nothing', async () => {
    const inner = new MemoryObjectStore();
    const recording = new RecordingStore(inner);
    expect(await recording.putIfAbsent('k', 'first')).toBe(true);
    expect(await recording.putIfAbsent('k', 'second')).toBe(false);
    expect(new TextDecoder().decode(await inner.get('k'))).toBe('first');
    expect(recording.writtenObjects().map((o) => o.key)).toEqual(['k']);
  });

  it('on S3: a PutObject with If-None-Match "*"; 412 means it exists, 409 (a conditional write in flight) is transient', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    try {
      const store = new S3ObjectStore('s3://bucket/runs', { client });
      mock.on(PutObjectCommand).resolvesOnce({}).rejectsOnce(s3Error('PreconditionFailed', 412)).rejectsOnce(s3Error('ConditionalRequestConflict', 409));
      expect(await store.putIfAbsent('r.lock.json', '{}')).toBe(true);
      expect(mock.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'bucket', Key: 'runs/r.lock.json', IfNoneMatch: '*' });
      expect(await store.putIfAbsent('r.lock.json', '{}')).toBe(false);
      const conflict = await store.putIfAbsent('r.lock.json', '{}').catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(StorageError);
      expect((conflict as StorageError).name).toBe('StorageTransient');
    } finally {
      mock.restore();
    }
  });
});

describe('listFolders', () => {
  // Each folder holds an object of its own: s3rver 3.7 reports a common prefix only for folders
  // with a direct object (AWS reports every one), and a dataset folder always holds dataset.json.
  const layout = ['dataset.json', 'a/dataset.json', 'a/images/1.png', 'a/images/2.png', 'b/notes.txt', 'b/data/x.jsonl', 'c.txt'];
  const expectFolders = async (store: ObjectStore) => {
    expect(await listFoldersOf(store, '')).toEqual(['a', 'b']);
    expect(await listFoldersOf(store, 'a/')).toEqual(['images']);
    expect(await listFoldersOf(store, 'none/')).toEqual([]);
  };

  it('lists one level of a folder, in memory, and on an S3 server (ListObjectsV2 with a delimiter)', async () => {
    const dir = join(tmp, 'folders');
    const memory = new MemoryObjectStore();
    const bucket = s3.store('s3://folders-bucket/watched');
    for (const key of layout) {
      await mkdir(join(dir, key, '..'), { recursive: true });
      await writeFile(join(dir, key), key);
      await memory.put(key, key);
      await bucket.put(key, key);
    }
    await expectFolders(new FsObjectStore(dir));
    await expectFolders(memory);
    await expectFolders(bucket);
  });
});

describe('listSizesPage', () => {
  it('lists a bounded stretch after a key, in UTF-8 byte order, the same on S3 (StartAfter, MaxKeys) and locally', async () => {
    // '😀' (U+1F600) sorts after '\uffff' in UTF-8 bytes, before it in JavaScript's UTF-16 order.
    const names = [...Array.from({ length: 2503 }, (_, i) => `i${String(i).padStart(4, '0')}`), 'é', '\uffff', '😀'];
    const memory = new MemoryObjectStore();
    const bucket = s3.store('s3://folders-bucket/paged');
    await Promise.all(names.map((name, i) => Promise.all([memory.put(`images/${name}`, 'x'.repeat(i % 3)), bucket.put(`images/${name}`, 'x'.repeat(i % 3))])));
    await bucket.put('other/zz', 'not listed');
    const pages = async (store: ObjectStore, maxKeys: number) => {
      const seen: { key: string; bytes: number }[][] = [];
      let after: string | undefined;
      for (let more = true; more; ) {
        const page = await listPageOf(store, 'images/', after, maxKeys);
        seen.push(page.objects);
        after = page.objects.at(-1)?.key;
        more = page.more;
      }
      return seen;
    };
    const byBytes = names.map((name) => `images/${name}`).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const maxKeys of [1000, 1200, 2506]) {
      const local = await pages(memory, maxKeys);
      expect(await pages(bucket, maxKeys)).toEqual(local);
      expect(local.flat().map((o) => o.key)).toEqual(byBytes);
      expect(local.length).toBe(Math.ceil(names.length / maxKeys));
      expect(local.flat().find((o) => o.key === 'images/i0002')?.bytes).toBe(2);
    }
    expect(bucket.listSizesPage).toBeDefined();
  });
});

describe('uploadFolder', () => {
  it('uploads in parallel, in sorted order of starts, and dataset.json alone after every other file', async () => {
    const dir = join(tmp, 'dataset');
    const keys = ['dataset.json', 'data/train.jsonl', ...Array.from({ length: 30 }, (_, i) => `images/${String(i).padStart(3, '0')}.png`)];
    for (const key of keys) {
      await mkdir(join(dir, key, '..'), { recursive: true });
      await writeFile(join(dir, key), key);
    }
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const inner = new MemoryObjectStore();
    const slow: ObjectStore = Object.assign(Object.create(inner) as ObjectStore, {
      put: async (key: string, body: Uint8Array | string) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        if (key === 'dataset.json') expect(inFlight).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await inner.put(key, body);
        order.push(key);
        inFlight -= 1;
      },
    });
    const progress: number[] = [];
    expect(await uploadFolder(dir, slow, 'dataset.json', { concurrency: 6, onFile: (done) => progress.push(done) })).toBe(keys.length);
    expect(order.at(-1)).toBe('dataset.json');
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(6);
    expect(progress).toEqual(keys.map((_, i) => i + 1));
    expect(await inner.list('')).toEqual([...keys].sort());
  });

  it('stops starting files after a failure, and never writes dataset.json then', async () => {
    const dir = join(tmp, 'failing');
    for (const key of ['dataset.json', 'a.bin', 'b.bin', 'c.bin']) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, key), key);
    }
    const written: string[] = [];
    const failing = new MemoryObjectStore();
    const store: ObjectStore = Object.assign(Object.create(failing) as ObjectStore, {
      put: async (key: string) => {
        if (key === 'b.bin') throw new StorageError(key, 'permission denied');
        written.push(key);
      },
    });
    await expect(uploadFolder(dir, store, 'dataset.json', { concurrency: 1 })).rejects.toThrow(/permission denied/);
    expect(written).toEqual(['a.bin']);
  });
});
