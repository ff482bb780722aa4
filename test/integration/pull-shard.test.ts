/**
 * `megashard pull` and pullShard on real shard files, from a folder and from a real S3-compatible
 * server (s3rver): verified downloads, resume from a truncated .part, refusal of a tampered file,
 * and clear errors for an unplanned epoch, a rank ≥ W, a missing variant and a step out of range.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import { pullShard } from '../../lib/shard/pull-shard.js';
import { CountingStore } from '../helpers/counting-store.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { writeShardRunFixture } from '../helpers/shard-run-fixture.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'megashard-pull';
const SHAPE = { epochs: 2, worldSize: 3, microBatchSize: 4, stepsPerRank: 40, maxTextTokens: 200 } as const;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

let tmp: string;
let runDir: string;
let server: S3rverHandle;
let manifests: Awaited<ReturnType<typeof writeShardRunFixture>>;

beforeAll(async () => {
  [tmp, server] = await Promise.all([makeTempDir('pull'), startS3rver([BUCKET])]);
  runDir = join(tmp, 'run');
  manifests = await writeShardRunFixture(new FsObjectStore(runDir), SHAPE);
  await writeShardRunFixture(server.store(`s3://${BUCKET}/runs/r1`), SHAPE);
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(tmp);
});

/** The manifest entry of (epoch, rank, variant) and the stored file's bytes. */
async function stored(epoch: number, rank: number, variant: 'tokens' | 'index' = 'tokens') {
  const entry = manifests.epochs[epoch]!.files.find((f) => f.rank === rank && f.variant === variant)!;
  return { entry, bytes: new Uint8Array(await readFile(join(runDir, 'shards', entry.key))) };
}

describe.each([
  ['a folder', (): ObjectStore => new FsObjectStore(runDir)],
  ['S3 (s3rver)', (): ObjectStore => server.store(`s3://${BUCKET}/runs/r1`)],
])('pullShard from %s', (_name, runStore) => {
  it('downloads the shard verified, in ranged reads of at most bytesPerRead, every byte once', async () => {
    const { entry, bytes } = await stored(1, 2);
    const store = new CountingStore(runStore());
    const out = join(tmp, `${_name}-e1r2.arrow`);
    const result = await pullShard({ run: store, epoch: 1, rank: 2, out, bytesPerRead: 4096 });
    expect(sha256(await readFile(out))).toBe(entry.sha256);
    expect(Buffer.from(await readFile(out))).toEqual(Buffer.from(bytes));
    expect(result).toMatchObject({
      out,
      epoch: 1,
      rank: 2,
      variant: 'tokens',
      bytes: entry.bytes,
      sha256: entry.sha256,
      steps: 40,
      firstStep: 0,
      alreadyComplete: false,
      resumedFromBytes: 0,
      fetchedBytes: entry.bytes,
    });
    const shardReads = store.reads.filter((read) => read.key.endsWith(entry.key));
    expect(shardReads.every((read) => !read.whole && read.bytes <= 4096)).toBe(true);
    expect(shardReads.reduce((sum, read) => sum + read.bytes, 0)).toBe(entry.bytes);
    expect(await exists(`${out}.part`)).toBe(false);
  });

  it('resumes a truncated .part from its length, fetching only the rest', async () => {
    const { entry, bytes } = await stored(0, 1, 'index');
    const out = join(tmp, `${_name}-resume.arrow`);
    const kept = Math.floor(entry.bytes * 0.6) + 3; // not a multiple of the read size
    await writeFile(`${out}.part`, bytes.subarray(0, kept));
    const store = new CountingStore(runStore());
    const result = await pullShard({ run: store, epoch: 0, rank: 1, variant: 'index', out, bytesPerRead: 1000 });
    expect(result).toMatchObject({ resumedFromBytes: kept, fetchedBytes: entry.bytes - kept, alreadyComplete: false });
    const shardReads = store.reads.filter((read) => read.key.endsWith(entry.key));
    expect(Math.min(...shardReads.map((read) => read.start))).toBe(kept);
    expect(sha256(await readFile(out))).toBe(entry.sha256);
    // Pulling again finds the verified file and fetches nothing.
    const again = new CountingStore(runStore());
    expect(await pullShard({ run: again, epoch: 0, rank: 1, variant: 'index', out })).toMatchObject({ alreadyComplete: true, fetchedBytes: 0 });
    expect(again.reads.some((read) => read.key.endsWith(entry.key))).toBe(false);
  });

  it('deletes a .part whose kept bytes are wrong and fails naming epoch, rank and file; the next pull succeeds', async () => {
    const { entry, bytes } = await stored(0, 0);
    const out = join(tmp, `${_name}-badpart.arrow`);
    const wrong = bytes.slice(0, 500);
    wrong[100] = wrong[100]! ^ 0xff;
    await writeFile(`${out}.part`, wrong);
    const failure = pullShard({ run: runStore(), epoch: 0, rank: 0, out });
    await expect(failure).rejects.toThrow(CorruptArtifactError);
    await expect(pullShard({ run: runStore(), epoch: 0, rank: 0, out }).then(() => 'ok')).resolves.toBe('ok');
    expect(sha256(await readFile(out))).toBe(entry.sha256);
  });
});

describe('pullShard refuses', () => {
  it('a stored file whose bytes changed after the manifest was written (and leaves no file behind)', async () => {
    const run = await makeTempDir('pull-tampered');
    try {
      const { epochs } = await writeShardRunFixture(new FsObjectStore(run), SHAPE);
      const entry = epochs[1]!.files.find((f) => f.rank === 2 && f.variant === 'tokens')!;
      const path = join(run, 'shards', entry.key);
      const bytes = await readFile(path);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01; // same size, one bit flipped
      await writeFile(path, bytes);
      const out = join(run, 'pulled.arrow');
      const failure = pullShard({ run: new FsObjectStore(run), epoch: 1, rank: 2, out });
      await expect(failure).rejects.toThrow(CorruptArtifactError);
      await expect(failure).rejects.toThrow(/epoch 1 rank 2 tokens shard .*epoch-0001\/rank-00002\.arrow.*sha256/);
      expect(await listFilesUnder(run).then((files) => files.filter((f) => f.startsWith('pulled')))).toEqual([]);
      // A truncated stored file (shorter than the manifest says) is refused too.
      await truncate(path, entry.bytes - 10);
      await expect(pullShard({ run: new FsObjectStore(run), epoch: 1, rank: 2, out })).rejects.toThrow(/shorter than its manifest says/);
    } finally {
      await removeTempDir(run);
    }
  });

  it('an unplanned epoch, a rank ≥ W, a variant that was not written and a step outside the file', async () => {
    const run = new FsObjectStore(runDir);
    const out = join(tmp, 'never.arrow');
    await expect(pullShard({ run, epoch: 5, rank: 0, out })).rejects.toThrow(
      new InvalidInputError('epoch', 'is 5, which was not planned; the run has epochs 0, 1'),
    );
    await expect(pullShard({ run, epoch: 0, rank: 3, out })).rejects.toThrow(
      new InvalidInputError('rank', 'is 3; epoch 0 was planned for world size 3: use a rank in 0–2'),
    );
    await expect(pullShard({ run, epoch: 0, rank: 0, fromStep: 40, out })).rejects.toThrow(/fromStep: is 40; epoch 0 rank 0 has steps 0–39/);
    const tokensOnly = await makeTempDir('pull-tokens-only');
    try {
      await writeShardRunFixture(new FsObjectStore(tokensOnly), { ...SHAPE, epochs: 1, variants: ['tokens'] });
      await expect(pullShard({ run: new FsObjectStore(tokensOnly), epoch: 0, rank: 0, variant: 'index', out })).rejects.toThrow(
        /variant: is "index"; epoch 0 has no index shards \(written: tokens\)/,
      );
    } finally {
      await removeTempDir(tokensOnly);
    }
    const empty = await makeTempDir('pull-empty');
    try {
      await expect(pullShard({ run: new FsObjectStore(empty), epoch: 0, rank: 0, out })).rejects.toThrow(/no shards yet/);
    } finally {
      await removeTempDir(empty);
    }
    expect(await exists(out)).toBe(false);
  });
});

describe('megashard pull (CLI)', () => {
  it('pulls from a folder, prints the JSON result, and reports the record batch for --from-step', async () => {
    const { entry } = await stored(0, 2);
    const out = join(tmp, 'cli', 'rank2.arrow');
    const run = await runCli(['pull', runDir, '--epoch', '0', '--rank', '2', '--from-step', '7', '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ out, bytes: entry.bytes, sha256: entry.sha256, fromStep: 7, fromRecordBatch: 7, steps: 40 });
    expect(sha256(await readFile(out))).toBe(entry.sha256);
  });

  it('exits 2 naming the field for a bad rank, epoch or variant', async () => {
    const out = join(tmp, 'cli', 'bad.arrow');
    const badRank = await runCli(['pull', runDir, '--epoch', '0', '--rank', '9', '--out', out]);
    expect([badRank.code, badRank.stderr.trim()]).toEqual([2, 'megashard: InvalidInput: rank: is 9; epoch 0 was planned for world size 3: use a rank in 0–2']);
    const badEpoch = await runCli(['pull', runDir, '--epoch', '2', '--rank', '0', '--out', out]);
    expect([badEpoch.code, badEpoch.stderr.trim()]).toEqual([2, 'megashard: InvalidInput: epoch: is 2, which was not planned; the run has epochs 0, 1']);
    const badVariant = await runCli(['pull', runDir, '--epoch', '0', '--rank', '0', '--variant', 'full', '--out', out]);
    expect(badVariant.code).not.toBe(0);
    expect(badVariant.stderr).toMatch(/--variant.*full.*tokens, index/);
  });

  it('pulls from s3:// with the client built from the AWS environment, and refuses a tampered object', async () => {
    const saved = Object.fromEntries(Object.keys(server.env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, server.env);
    setDefaultS3Client(undefined);
    try {
      const { entry, bytes } = await stored(1, 0, 'index');
      const out = join(tmp, 'cli-s3', 'rank0.index.arrow');
      const ok = await runCli(['pull', `s3://${BUCKET}/runs/r1`, '--epoch', '1', '--rank', '0', '--variant', 'index', '--out', out, '--quiet']);
      expect([ok.code, ok.stderr]).toEqual([0, '']);
      expect(sha256(await readFile(out))).toBe(entry.sha256);
      const tampered = bytes.slice();
      tampered[tampered.length - 40]! ^= 0x80;
      await server.store(`s3://${BUCKET}/runs/r1`).put(`shards/${entry.key}`, tampered);
      const refused = await runCli([
        'pull',
        `s3://${BUCKET}/runs/r1`,
        '--epoch',
        '1',
        '--rank',
        '0',
        '--variant',
        'index',
        '--out',
        join(tmp, 'cli-s3', 'x.arrow'),
        '--quiet',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^megashard: CorruptArtifact: epoch 1 rank 0 index shard s3:\/\/megashard-pull\/runs\/r1\/shards\/epoch-0001\/rank-00000\.index\.arrow: sha256 .*the stored file differs from what its manifest lists/,
      );
      expect(await exists(join(tmp, 'cli-s3', 'x.arrow.part'))).toBe(false);
    } finally {
      setDefaultS3Client(undefined);
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
