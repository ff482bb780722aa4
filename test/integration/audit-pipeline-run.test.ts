/**
 * The audit on a run the pipeline really wrote (synth → tokenize → plan → shards, both shard
 * variants, the tokenizer's rejects), from a folder and from S3 (s3rver) through the same port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShardFile, readShardColumns } from '../../lib/arrow/index.js';
import { sha256Hex } from '../../lib/core/fingerprint.js';
import { SHARDS_MANIFEST_KEY, SHARDS_PREFIX, shardEpochManifestKey, shardFileKey } from '../../lib/core/shards/shard-layout.js';
import type { ShardEpochManifest, ShardsManifest } from '../../lib/core/shards/shard-manifest.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { joinKey, type ObjectStore } from '../../lib/io/object-store.js';
import { auditRun } from '../../lib/run/audit/audit-run.js';
import { copyObjects, writePipelineShardRun, type PipelineShardRun } from '../helpers/pipeline-shard-run.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const BUCKET = 'audit-runs';

let tmp: string;
let server: S3rverHandle;
let written: PipelineShardRun;

beforeAll(async () => {
  [tmp, server] = await Promise.all([makeTempDir('audit-pipeline'), startS3rver([BUCKET])]);
  written = await writePipelineShardRun(tmp, { samples: 120, spec: { epochs: 2, worldSize: 3, perDeviceBatchSize: 2, gradientAccumulation: 2 } });
});
afterAll(async () => {
  await server?.stop();
  await removeTempDir(tmp);
});

describe('audit of a pipeline-written run', () => {
  it('passes from a folder: both variants of every rank hashed, rows agree with the index and the plan', async () => {
    const { report } = await auditRun(new FsObjectStore(written.run));
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.files.verified).toBe(2 * 3 * 2);
    expect(report.checks.find((c) => c.id === 'matches-plan')!.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'index-agreement')!.status).toBe('pass');
    expect(report.epochs.map((e) => e.coverage)).toEqual([1, 1]);
  });

  it('gives the same report from S3 through the object-store port, and writes it there', async () => {
    const s3 = server.store(`s3://${BUCKET}/run-1`);
    await copyObjects(new FsObjectStore(written.run), s3, '');
    const fromFolder = (await auditRun(new FsObjectStore(written.run))).report;
    const fromS3 = await auditRun(s3, { readsInFlight: 2 });
    expect(fromS3.report).toEqual(fromFolder);
    expect(await s3.exists('audit/report.json')).toBe(true);
    expect(new TextDecoder().decode(await s3.get('audit/report.html'))).toContain('AUDIT PASSED');
  });

  it('a tokens variant whose rows were re-encoded differently from the index variant fails, naming epoch, rank and step', async () => {
    const copy = new FsObjectStore(await makeTempDir('audit-pipeline-copy'));
    try {
      await copyObjects(new FsObjectStore(written.run), copy, '');
      const key = shardFileKey(1, 2, 'tokens');
      const columns = readShardColumns(await copy.get(joinKey(SHARDS_PREFIX, key)), key);
      const sampleIds = columns.sampleIds.slice();
      [sampleIds[2 * 3], sampleIds[2 * 3 + 1]] = [sampleIds[2 * 3 + 1]!, sampleIds[2 * 3]!];
      await putListed(copy, 1, key, encodeShardFile({ ...columns, sampleIds }, columns.metadata));
      const { report } = await auditRun(copy);
      const files = report.checks.find((c) => c.id === 'shard-files')!;
      expect(files.status).toBe('fail');
      expect(files.summary).toMatch(/^epoch 1 rank 2 step 3: the tokens and index variants disagree: sampleIds of row 6: \d+ \(index\) vs \d+ \(tokens\)$/);
    } finally {
      await removeTempDir(copy.location);
    }
  });
});

/** Replace a shard and re-list it (size, sha256) in its epoch manifest and the root manifest. */
async function putListed(store: ObjectStore, epoch: number, key: string, bytes: Uint8Array): Promise<void> {
  await store.put(joinKey(SHARDS_PREFIX, key), bytes);
  const manifestKey = joinKey(SHARDS_PREFIX, shardEpochManifestKey(epoch));
  const manifest = JSON.parse(new TextDecoder().decode(await store.get(manifestKey))) as ShardEpochManifest;
  Object.assign(manifest.files.find((f) => f.key === key)!, { bytes: bytes.length, sha256: sha256Hex(bytes) });
  const text = JSON.stringify(manifest);
  await store.put(manifestKey, text);
  const rootKey = joinKey(SHARDS_PREFIX, SHARDS_MANIFEST_KEY);
  const root = JSON.parse(new TextDecoder().decode(await store.get(rootKey))) as ShardsManifest;
  root.epochs.find((e) => e.epoch === epoch)!.sha256 = sha256Hex(text);
  await store.put(rootKey, JSON.stringify(root));
}
