/** ObjectStore.streamRange on a folder and on a real S3-protocol server: the bytes getRange gives, in order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../lib/core/errors.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SIZE = 3 * 1024 * 1024 + 17; // more than one stream chunk, not a multiple of any
const body = Uint8Array.from({ length: SIZE }, (_, i) => (i * 131 + (i >> 11)) & 0xff);

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

let dir: string;
let server: S3rverHandle;
const stores: Array<[string, () => ObjectStore]> = [
  ['folder', () => new FsObjectStore(dir)],
  ['S3 (s3rver)', () => server.store('s3://stream-bucket/prefix')],
];

beforeAll(async () => {
  dir = await makeTempDir('stream-range');
  server = await startS3rver(['stream-bucket']);
  for (const [, open] of stores) await open().put('shard.arrow', body);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await removeTempDir(dir);
});

describe.each(stores)('streamRange on %s', (_name, open) => {
  it.each([
    [0, SIZE],
    [1, SIZE],
    [1024 * 1024 - 1, 2 * 1024 * 1024 + 5],
    [SIZE - 3, SIZE],
    [5, 6],
  ])('streams [%i, %i) as getRange reads it', async (start, end) => {
    const store = open();
    const streamed = await collect(store.streamRange!('shard.arrow', start, end));
    expect(streamed.length).toBe(end - start);
    expect(Buffer.from(streamed).equals(Buffer.from(await store.getRange('shard.arrow', start, end)))).toBe(true);
  });

  it('gives nothing for an empty range of an existing object', async () => {
    expect((await collect(open().streamRange!('shard.arrow', 10, 10))).length).toBe(0);
  });

  it('fails with ObjectNotFound for a missing object, even for an empty range', async () => {
    await expect(collect(open().streamRange!('missing.arrow', 0, 10))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(collect(open().streamRange!('missing.arrow', 0, 0))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});
