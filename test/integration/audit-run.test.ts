import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readShardColumns } from '../../lib/arrow/index.js';
import { auditReportSchema, type AuditReport } from '../../lib/core/audit/report-schema.js';
import { lengthsForStrategy } from '../../lib/core/index/length-index.js';
import { shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { auditRun } from '../../lib/run/audit/audit-run.js';
import { FIXTURE_REJECTS, rewriteShardConsistently, withSampleAt, withoutRow, writeAuditableRun, type WrittenRun } from '../helpers/audit-run-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SPEC = { strategy: 'balanced', seed: 21, epochs: 2, worldSize: 4, perDeviceBatchSize: 4, gradientAccumulation: 1 };
const B = SPEC.perDeviceBatchSize;

let dir: string;
let store: FsObjectStore;
let written: WrittenRun;

beforeEach(async () => {
  dir = await makeTempDir('audit');
  store = new FsObjectStore(dir);
  written = await writeAuditableRun(store, 600, SPEC);
});
afterEach(() => removeTempDir(dir));

async function readReport(): Promise<AuditReport> {
  return auditReportSchema.parse(JSON.parse(await readFile(join(dir, 'audit/report.json'), 'utf8')));
}

const shardPath = (epoch: number, rank: number) => join(dir, 'shards', shardFileKey(epoch, rank, 'index'));
const idsOf = async (epoch: number, rank: number) => readShardColumns(await readFile(shardPath(epoch, rank)), 'test').sampleIds;

describe('megashard audit <run>', () => {
  it('passes an untampered run, hashes every file, and writes report.json (schema-valid) and report.html', async () => {
    const result = await runCli(['audit', dir, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^megashard audit: PASSED — balanced@1, 600 samples, 2 epochs × 4 ranks, 8 files hashed/);
    const report = await readReport();
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'shard-files:pass',
      'known-ids:pass',
      'exactly-once:pass',
      'padding-declared:pass',
      'source-weights:skip',
      'equal-steps:pass',
      'full-micro-batches:pass',
      'pack-structure:skip',
      'pack-budget:skip',
      'pack-image-cap:skip',
      'pack-positions:skip',
      'boundary-labels:skip',
      'matches-plan:pass',
      'index-agreement:pass',
      'longest-first:pass',
      'epochs-differ:pass',
    ]);
    expect(report.files.verified).toBe(8);
    expect(report.run.planFingerprint).toBe(written.plan.runFingerprint);
    expect(report.rejects.byReason.map((r) => [r.reason, r.count])).toEqual([
      ['image "…": missing image file', 2],
      ['record is null, not a JSON object', 1],
    ]);
    expect(report.rejects.total).toBe(FIXTURE_REJECTS.length);
    const html = await readFile(join(dir, 'audit/report.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('AUDIT PASSED');
  });

  it('a duplicated sample (shard rewritten, manifests re-signed) fails naming epoch, rank and step, exit code 1', async () => {
    const duplicate = (await idsOf(0, 1))[B * 2 + 1]!;
    const lengths = lengthsForStrategy(written.index, 'total', true);
    await rewriteShardConsistently(store, 0, 2, (rows) => withSampleAt(rows, B * 3, duplicate, written.index, lengths));
    const result = await runCli(['audit', dir, '--quiet']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `megashard: AuditFailed: 2 checks failed: exactly-once: epoch 0 rank 2 step 3: sample ${duplicate} seen twice (also epoch 0 rank 1 step 2)`,
    );
    expect(result.stderr).toMatch(/matches-plan: epoch 0 rank 2 step 3: slot 0 holds sample \d+ at step 3; the plan has sample \d+ at step 3/);
    expect(result.stdout).toContain('FAIL exactly-once');
    expect((await readReport()).passed).toBe(false);
  });

  it('a removed sample fails naming the step it was removed from (every later row shifts)', async () => {
    const ids = await idsOf(1, 3);
    const removed = ids[B * 5 + 2]!;
    await rewriteShardConsistently(store, 1, 3, (rows) => withoutRow(rows, B * 5 + 2));
    const { report } = await auditRun(store);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['exactly-once', 'matches-plan']);
    expect(failed[1]!.summary).toBe(`epoch 1 rank 3 step 5: slot 2 holds sample ${ids[B * 5 + 3]} at step 5; the plan has sample ${removed} at step 5`);
    expect(failed[0]!.summary).toBe(`epoch 1: sample ${removed} never occurs in this epoch and is not declared dropped`);
  });

  it('changed bytes (manifest not updated): sha256 mismatch names the file, and the changed id names its step', async () => {
    const ids = await idsOf(0, 1);
    const bytes = new Uint8Array(await readFile(shardPath(0, 1)));
    // Find step 4's micro-batch in the sample_id buffer (B little-endian Int32s) and overwrite its first id.
    const pattern = new Uint8Array(Int32Array.from(ids.subarray(4 * B, 5 * B)).buffer);
    const at = Buffer.from(bytes).indexOf(Buffer.from(pattern));
    expect(at).toBeGreaterThan(0);
    const other = ids[0]!;
    bytes.set(new Uint8Array(Int32Array.of(other).buffer), at);
    await writeFile(shardPath(0, 1), bytes);
    const { report } = await auditRun(store);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['shard-files']!.summary).toMatch(
      /^epoch 0 rank 1: epoch-0000\/rank-00001\.index\.arrow: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/,
    );
    expect(byId['exactly-once']!.summary).toBe(`epoch 0 rank 1 step 4: sample ${other} seen twice (also epoch 0 rank 1 step 0) (and 1 more)`);
    expect(byId['exactly-once']!.failures[1]!.message).toBe(`sample ${ids[4 * B]} never occurs in this epoch and is not declared dropped`);
    expect(report.passed).toBe(false);
  });

  it('a file that no longer decodes is reported, and the other ranks are still audited', async () => {
    const bytes = await readFile(shardPath(1, 0));
    await writeFile(shardPath(1, 0), bytes.subarray(0, bytes.length - 9));
    const { report } = await auditRun(store);
    const files = report.checks.find((c) => c.id === 'shard-files')!;
    expect(files.failures.map((f) => [f.epoch, f.rank])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    expect(files.failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/^epoch-0001\/rank-00000\.index\.arrow: \d+ bytes; the manifest says \d+$/),
      expect.stringMatching(/^epoch-0001\/rank-00000\.index\.arrow: sha256 [0-9a-f]{64} does not match/),
      'epoch-0001/rank-00000.index.arrow: is not an Arrow IPC file (no ARROW1 magic at both ends; truncated?)',
      'no usable shard file for this rank',
    ]);
    expect(report.checks.find((c) => c.id === 'equal-steps')!.status).toBe('pass');
    expect(report.epochs[1]!.ranks).toBe(4);
  });

  it('a run without shards is bad input (exit code 2) naming what is missing', async () => {
    const empty = await makeTempDir('audit-empty');
    try {
      const result = await runCli(['audit', empty]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`megashard: InvalidInput: run: ${empty} has no shards/manifest.json`);
    } finally {
      await removeTempDir(empty);
    }
  });
});
