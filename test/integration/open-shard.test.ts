/**
 * openShard: a rank's micro-batches read in place from a folder, memory or S3 (s3rver), equal to
 * the whole-file reader's; resuming at step k equals the tail of the full iteration for every k
 * and reads fewer bytes than the steps before k hold; bad requests and files that contradict
 * their manifest are refused.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRangedArrowFile } from '../../lib/arrow/ipc-ranged-reader.js';
import { readShardBatches, type ShardMicroBatch } from '../../lib/arrow/shard-file.js';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { openShard, type OpenShardOptions } from '../../lib/shard/index.js';
import { CountingStore } from '../helpers/counting-store.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { writeShardRunFixture } from '../helpers/shard-run-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'megashard-open';
const SHAPE = { epochs: 2, worldSize: 2, microBatchSize: 3, stepsPerRank: 25, maxTextTokens: 300 } as const;

let tmp: string;
let server: S3rverHandle;
const memory = new MemoryObjectStore('memory://run');

beforeAll(async () => {
  [tmp, server] = await Promise.all([makeTempDir('open-shard'), startS3rver([BUCKET])]);
  await Promise.all([
    writeShardRunFixture(new FsObjectStore(tmp), SHAPE),
    writeShardRunFixture(server.store(`s3://${BUCKET}/run`), SHAPE),
    writeShardRunFixture(memory, SHAPE),
  ]);
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(tmp);
});

async function collect(run: string | ObjectStore, options: OpenShardOptions): Promise<ShardMicroBatch[]> {
  const batches: ShardMicroBatch[] = [];
  for await (const batch of openShard(run, options)) batches.push(batch);
  return batches;
}

/** The same shard decoded whole, by apache-arrow's file reader (an independent path). */
async function wholeFile(epoch: number, rank: number, variant: 'tokens' | 'index'): Promise<ShardMicroBatch[]> {
  const key = `shards/epoch-000${epoch}/rank-0000${rank}${variant === 'tokens' ? '' : '.index'}.arrow`;
  return [...readShardBatches(new Uint8Array(await readFile(join(tmp, key))), key).batches];
}

describe('openShard', () => {
  it.each([
    ['a folder path', () => tmp],
    ['S3', () => server.store(`s3://${BUCKET}/run`)],
    ['memory', () => memory],
  ])('iterates every micro-batch from %s, equal to the whole-file reader, steps 0 … n-1', async (_name, run) => {
    for (const variant of ['tokens', 'index'] as const) {
      const batches = await collect(run(), { epoch: 1, rank: 1, variant });
      expect(batches.map((b) => b.step)).toEqual(Array.from({ length: SHAPE.stepsPerRank }, (_, k) => k));
      expect(batches).toEqual(await wholeFile(1, 1, variant));
      expect(batches[0]!.inputIds === undefined).toBe(variant === 'index');
    }
  });

  it('resuming at step k equals the tail of the full iteration, for every k (the end included)', async () => {
    const full = await collect(memory, { epoch: 0, rank: 0 });
    for (let k = 0; k <= SHAPE.stepsPerRank; k++) {
      expect(await collect(memory, { epoch: 0, rank: 0, fromStep: k, maxBytesPerRead: 2048 })).toEqual(full.slice(k));
    }
  });

  it('resuming at step k reads fewer bytes than steps 0 … k-1 hold, and none of theirs', async () => {
    const k = 15;
    const key = 'shards/epoch-0000/rank-00001.arrow';
    const { blocks } = await openRangedArrowFile(new FsObjectStore(tmp), key);
    const [earlierStart, earlierEnd] = [blocks[0]!.offset, blocks[k]!.offset];
    const counting = new CountingStore(new FsObjectStore(tmp));
    const tail = await collect(counting, { epoch: 0, rank: 1, fromStep: k });
    expect(tail.map((b) => b.step)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    const shardReads = counting.reads.filter((read) => read.key === key);
    expect(shardReads.some((read) => read.start < earlierEnd && read.end > earlierStart)).toBe(false);
    expect(shardReads.reduce((sum, read) => sum + read.bytes, 0)).toBeLessThan(earlierEnd - earlierStart);
  });

  it('refuses an unplanned epoch, a rank ≥ W and a step outside the file, naming them', async () => {
    await expect(collect(memory, { epoch: 2, rank: 0 })).rejects.toThrow(
      new InvalidInputError('epoch', 'is 2, which was not planned; the run has epochs 0, 1'),
    );
    await expect(collect(memory, { epoch: 0, rank: 2 })).rejects.toThrow(
      new InvalidInputError('rank', 'is 2; epoch 0 was planned for world size 2: use a rank in 0–1'),
    );
    await expect(collect(memory, { epoch: 0, rank: -1 })).rejects.toThrow(InvalidInputError);
    await expect(collect(memory, { epoch: 0, rank: 0, fromStep: 26 })).rejects.toThrow(/fromStep: is 26; epoch 0 rank 0 has steps 0–24/);
  });

  it('refuses a file whose size, metadata or epoch manifest contradicts the manifests', async () => {
    const run = new MemoryObjectStore('memory://bad');
    const { epochs } = await writeShardRunFixture(run, { ...SHAPE, epochs: 1 });
    const [rank0, rank1] = [0, 1].map((rank) => epochs[0]!.files.find((f) => f.rank === rank && f.variant === 'tokens')!);
    // Rank 1's file stored as rank 0's, manifest updated to its size and sha256: only the metadata can tell.
    await run.put(`shards/${rank0!.key}`, await run.get(`shards/${rank1!.key}`));
    const swapped = { ...epochs[0]!, files: epochs[0]!.files.map((f) => (f === rank0 ? { ...f, bytes: rank1!.bytes, sha256: rank1!.sha256 } : f)) };
    await run.put('shards/epoch-0000/manifest.json', JSON.stringify(swapped));
    // The epoch manifest no longer matches the root's sha256 for it.
    await expect(collect(run, { epoch: 0, rank: 0 })).rejects.toThrow(/epoch-0000\/manifest\.json: sha256 is .* lists /);
    const root = JSON.parse(new TextDecoder().decode(await run.get('shards/manifest.json')));
    root.epochs[0].sha256 = sha256Hex(await run.get('shards/epoch-0000/manifest.json'));
    await run.put('shards/manifest.json', JSON.stringify(root));
    await expect(collect(run, { epoch: 0, rank: 0 })).rejects.toThrow(/rank-00000\.arrow: metadata "megashard\.rank" is 1; the epoch manifest says 0/);
    // A file cut short: its size disagrees with the manifest before anything is decoded.
    await run.put(`shards/${rank1!.key}`, (await run.get(`shards/${rank1!.key}`)).subarray(0, 1000));
    await expect(collect(run, { epoch: 0, rank: 1 })).rejects.toThrow(
      new CorruptArtifactError('memory://bad/shards/epoch-0000/rank-00001.arrow', `is 1000 bytes; the epoch manifest says ${rank1!.bytes}`),
    );
    // An epoch manifest that is not what the schema says.
    await run.put('shards/manifest.json', '{}');
    await expect(collect(run, { epoch: 0, rank: 1 })).rejects.toThrow(/shards\/manifest\.json: kind: /);
  });
});
