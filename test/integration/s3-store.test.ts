/**
 * The ObjectStore contract of S3ObjectStore against a real S3-compatible server (s3rver in a child
 * process), then planIndexFile and the CLI writing a plan into S3 that must be byte-identical to the
 * same plan written to a folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLengthIndex } from '../../lib/arrow/index.js';
import { InvalidInputError, ObjectNotFoundError, StorageError } from '../../lib/core/errors.js';
import { syntheticLengthIndex } from '../../lib/core/synth/synthetic-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { openStore } from '../../lib/io/open-store.js';
import { S3ObjectStore, s3ClientConfig, setDefaultS3Client, translateS3Error } from '../../lib/io/s3-store.js';
import { splitObjectUrl } from '../../lib/io/split-url.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { runCli } from '../helpers/run-cli.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'megashard-test';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A loopback port nothing listens on: bound by the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let server: S3rverHandle;
let tmp: string;
let bucket: S3ObjectStore;

beforeAll(async () => {
  [server, tmp] = await Promise.all([startS3rver([BUCKET]), makeTempDir('s3-store')]);
  bucket = server.store(`s3://${BUCKET}`);
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(tmp);
});

describe('S3ObjectStore against s3rver', () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);

  it('round-trips binary data byte for byte, strings and array views included', async () => {
    const store = server.store(`s3://${BUCKET}/blobs`);
    await store.put('big.bin', data);
    expect(sha256(await store.get('big.bin'))).toBe(sha256(data));
    // A view into a larger buffer must send only its own bytes.
    await store.put('view.bin', data.subarray(1000, 1100));
    expect(Buffer.from(await store.get('view.bin'))).toEqual(data.subarray(1000, 1100));
    await store.put('dir/text.json', '{"é":1}');
    expect(new TextDecoder().decode(await store.get('dir/text.json'))).toBe('{"é":1}');
    await store.put('empty', new Uint8Array(0));
    expect(await store.get('empty')).toEqual(new Uint8Array(0));
    await store.put('view.bin', 'replaced');
    expect(await store.size('view.bin')).toBe(8);
  });

  it('reads ranges: middle, across the end, past the end, at the end, empty', async () => {
    const store = server.store(`s3://${BUCKET}/ranges`);
    await store.put('r.bin', data);
    const size = data.length;
    expect(Buffer.from(await store.getRange('r.bin', 1_000_000, 1_065_536))).toEqual(data.subarray(1_000_000, 1_065_536));
    expect(Buffer.from(await store.getRange('r.bin', size - 10, size + 100))).toEqual(data.subarray(size - 10));
    expect(await store.getRange('r.bin', size + 5, size + 10)).toEqual(new Uint8Array(0));
    expect(await store.getRange('r.bin', size, size + 1)).toEqual(new Uint8Array(0));
    expect(await store.getRange('r.bin', 7, 7)).toEqual(new Uint8Array(0));
    // Not asserted here: a range of an empty object. AWS answers 416 (handled like start = size
    // above), but s3rver answers 206 announcing one byte and sends none, so the SDK sees an abort.
    await expect(store.getRange('missing', 0, 10)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getRange('missing', 3, 3)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getRange('r.bin', 5, 4)).rejects.toBeInstanceOf(RangeError);
  });

  it('answers exists/size for present and missing keys; a missing key is ObjectNotFound naming it', async () => {
    const store = server.store(`s3://${BUCKET}/sizes/`);
    expect(store.location).toBe(`s3://${BUCKET}/sizes`);
    await store.put('a/b.txt', 'hello');
    expect(await store.exists('a/b.txt')).toBe(true);
    expect(await store.size('a/b.txt')).toBe(5);
    expect(await store.exists('a/nope.txt')).toBe(false);
    expect(await store.exists('a')).toBe(false); // a "folder" is not an object
    const where = `s3://${BUCKET}/sizes/a/nope.txt`;
    for (const read of [() => store.get('a/nope.txt'), () => store.size('a/nope.txt')]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect((error as Error).message).toBe(`${where}: not found`);
    }
  });

  it('lists more than 1,000 keys across pages, ascending, relative to the store, by prefix', async () => {
    const store = server.store(`s3://${BUCKET}/many`);
    const keys = Array.from({ length: 1050 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 64) await Promise.all(keys.slice(i, i + 64).map((key) => store.put(key, key)));
    await store.put('other/x', 'x');
    // A sibling sharing the string prefix. '_' sorts after '/': s3rver pages in folder-walk order,
    // so a sibling such as 'many-x' (before 'many/' in key order) would be skipped by s3rver itself.
    await bucket.put('many_sibling/k/00001', 'outside the store');
    expect(await store.list('k/')).toEqual(keys);
    expect(await store.list('')).toEqual([...keys, 'other/x']);
    expect(await store.list('k/010')).toEqual(keys.slice(1000, 1050));
    expect(await store.list('nothing/')).toEqual([]);
    const all = await bucket.list('many');
    expect(all).toContain('many_sibling/k/00001');
    expect(all).toHaveLength(1052);
  });

  it('confines a store rooted at a prefix to its keys', async () => {
    const a = server.store(`s3://${BUCKET}/root/a`);
    const ab = server.store(`s3://${BUCKET}/root/ab`);
    await a.put('x', 'from a');
    await ab.put('x', 'from ab');
    expect(new TextDecoder().decode(await a.get('x'))).toBe('from a');
    expect(await a.list('')).toEqual(['x']);
    expect(await server.store(`s3://${BUCKET}/root`).list('')).toEqual(['a/x', 'ab/x']);
    await expect(a.get('../ab/x')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(a.put('y//z', '')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('reads back a streamed upload made with the store’s client settings (no chunk framing stored)', async () => {
    const body = Buffer.from('abcdef'.repeat(50_000));
    await server.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'stream/s.bin',
        Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        ContentLength: body.length,
      }),
    );
    expect(sha256(await bucket.get('stream/s.bin'))).toBe(sha256(body));
  });

  it('maps refusals and unreachable endpoints to StorageError, transient only when a retry may help', async () => {
    const wrongKey = new S3Client({
      ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: server.endpoint }),
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'x' },
    });
    const denied = await new S3ObjectStore(`s3://${BUCKET}/d`, { client: wrongKey }).get('k').catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'StorageFailed', transient: false });
    expect((denied as Error).message).toContain(`s3://${BUCKET}/d/k`);
    const noBucket = await server
      .store('s3://no-such-bucket/p')
      .get('k')
      .catch((e: unknown) => e);
    expect(noBucket).toMatchObject({ name: 'StorageFailed', transient: false });
    const closed = new S3Client({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 1,
    });
    const refused = await new S3ObjectStore(`s3://${BUCKET}`, { client: closed }).get('k').catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'StorageTransient', transient: true });
    wrongKey.destroy();
    closed.destroy();
  });
});

describe('translateS3Error and URL handling', () => {
  const s3Error = (name: string, status: number): Error => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['NoSuchKey', 404, 'ObjectNotFound', false],
    ['NotFound', 404, 'ObjectNotFound', false],
    ['AccessDenied', 403, 'StorageFailed', false],
    ['SlowDown', 503, 'StorageTransient', true],
    ['InternalError', 500, 'StorageTransient', true],
    ['ServiceUnavailable', 503, 'StorageTransient', true],
    ['RequestTimeout', 400, 'StorageTransient', true],
    ['InvalidArgument', 400, 'StorageFailed', false],
  ] as const)('%s (HTTP %i) → %s', (name, status, expected, transient) => {
    const error = translateS3Error(s3Error(name, status), 's3://b/k');
    expect(error).toMatchObject({ name: expected, message: expect.stringContaining('s3://b/k') });
    if (error instanceof StorageError) expect(error.transient).toBe(transient);
  });

  it('treats socket timeouts and resets as transient and passes unknown errors through', () => {
    expect(translateS3Error(Object.assign(new Error('t'), { name: 'TimeoutError' }), 's3://b/k')).toMatchObject({ transient: true });
    expect(translateS3Error(Object.assign(new Error('r'), { code: 'ECONNRESET' }), 's3://b/k')).toMatchObject({ transient: true });
    const bug = new TypeError('x is undefined');
    expect(translateS3Error(bug, 's3://b/k')).toBe(bug);
  });

  it('opens s3:// URLs and refuses malformed ones clearly', () => {
    expect(openStore('s3://my-bucket/runs/a/')).toMatchObject({ location: 's3://my-bucket/runs/a', bucket: 'my-bucket', prefix: 'runs/a' });
    expect(openStore('S3://my-bucket').location).toBe('s3://my-bucket');
    expect(openStore(join(tmp, 'folder'))).toBeInstanceOf(FsObjectStore);
    for (const bad of ['s3://', 's3:///x', 's3://ab/x', 's3://My_Bucket/x', 's3://-bucket', 's3://a..b', 's3://192.168.1.1', 's3://bkt/a/../b']) {
      expect(() => openStore(bad), bad).toThrow(InvalidInputError);
    }
    expect(() => openStore('gs://bucket/x')).toThrow(/unknown scheme/);
  });

  it('splits file locations of folders and S3 alike', () => {
    expect(splitObjectUrl('s3://bkt/index/lengths.arrow')).toEqual({ storeLocation: 's3://bkt/index', key: 'lengths.arrow' });
    expect(splitObjectUrl('s3://bkt/lengths.arrow')).toEqual({ storeLocation: 's3://bkt', key: 'lengths.arrow' });
    expect(splitObjectUrl('/data/index/lengths.arrow')).toEqual({ storeLocation: '/data/index', key: 'lengths.arrow' });
    expect(splitObjectUrl('lengths.arrow')).toEqual({ storeLocation: '.', key: 'lengths.arrow' });
    expect(() => splitObjectUrl('s3://bkt')).toThrow(/names a bucket, not an object/);
  });
});

describe('a plan written into S3', () => {
  const SPEC = { strategy: 'balanced', seed: 7, epochs: 2, worldSize: 4, perDeviceBatchSize: 3, gradientAccumulation: 2 };
  const index = syntheticLengthIndex(4003, 11);

  /** Every object of a store: key → bytes. */
  async function contents(store: ObjectStore): Promise<Map<string, Buffer>> {
    const keys = await store.list('');
    return new Map(await Promise.all(keys.map(async (key) => [key, Buffer.from(await store.get(key))] as const)));
  }

  /** The same plan written to a local folder, as key → bytes: what S3 must hold. */
  let expected: Map<string, Buffer>;

  beforeAll(async () => {
    const bytes = encodeLengthIndex(index);
    await bucket.put('indexes/lengths.arrow', bytes);
    const folder = new FsObjectStore(join(tmp, 'local'));
    await folder.put('lengths.arrow', bytes);
    await planIndexFile({ index: { store: folder, key: 'lengths.arrow' }, spec: SPEC, out: { store: folder, prefix: 'plan' } });
    expected = await contents(new FsObjectStore(join(tmp, 'local', 'plan')));
    expect([...expected.keys()]).toEqual(await listFilesUnder(join(tmp, 'local', 'plan')));
    expect(expected.size).toBe(1 + SPEC.epochs * (1 + SPEC.worldSize));
  });

  it('planIndexFile reads the index from S3 and writes the same bytes as into a folder', async () => {
    const s3Out = server.store(`s3://${BUCKET}/plans/x`);
    const manifest = await planIndexFile({ index: { store: bucket, key: 'indexes/lengths.arrow' }, spec: SPEC, out: { store: s3Out, prefix: '' } });
    expect(manifest.epochs).toHaveLength(2);
    const actual = await contents(s3Out);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, bytes] of expected) expect(actual.get(key)?.equals(bytes), key).toBe(true);
  });

  it('the CLI plans from s3:// to s3:// with the client built from the AWS environment', async () => {
    const specPath = join(tmp, 'spec.json');
    await writeFile(specPath, JSON.stringify(SPEC));
    const saved = Object.fromEntries(Object.keys(server.env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, server.env);
    setDefaultS3Client(undefined); // rebuilt from the variables just set
    try {
      const out = `s3://${BUCKET}/plans/cli`;
      const run = await runCli(['plan', '--index', `s3://${BUCKET}/indexes/lengths.arrow`, '--spec', specPath, '--out', out]);
      expect(run.stderr).not.toContain('megashard:');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ out, epochs: 2 });
      const actual = await contents(server.store(out));
      expect([...actual.keys()]).toEqual([...expected.keys()]);
      for (const [key, bytes] of expected) expect(actual.get(key)?.equals(bytes), key).toBe(true);

      const missing = await runCli(['plan', '--index', `s3://${BUCKET}/indexes/none.arrow`, '--spec', specPath, '--out', `s3://${BUCKET}/plans/none`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`ObjectNotFound: s3://${BUCKET}/indexes/none.arrow: not found`);
    } finally {
      setDefaultS3Client(undefined);
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
