/**
 * The audit fanned out (a partial per section of ranks, then one reduce) writes exactly the
 * report.json and report.html of the single-call audit — clean runs and tampered ones, whatever the
 * ranks per partial — and the reduce reads no shard file.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShardColumns } from '../../lib/arrow/index.js';
import { lengthsForStrategy } from '../../lib/core/index/length-index.js';
import { shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { auditRun, auditSections } from '../../lib/run/audit/audit-run.js';
import { auditSection } from '../../lib/run/audit/audit-section.js';
import { reduceAudit } from '../../lib/run/audit/reduce-audit.js';
import { CountingStore } from '../helpers/counting-store.js';
import { auditRunInOneCall } from '../helpers/single-call-audit.js';
import { rewriteShardConsistently, withSampleAt, withoutRow, writeAuditableRun, type WrittenRun } from '../helpers/audit-run-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SPEC = { strategy: 'balanced', seed: 21, epochs: 3, worldSize: 5, perDeviceBatchSize: 4, gradientAccumulation: 1 };
let tmp: string;
let clean: string;
let written: WrittenRun;

beforeAll(async () => {
  tmp = await makeTempDir('audit-fan-out');
  clean = join(tmp, 'clean');
  written = await writeAuditableRun(new FsObjectStore(clean), 700, SPEC);
});
afterAll(() => removeTempDir(tmp));

type Tamper = (dir: string, store: FsObjectStore) => Promise<void>;
const shardPath = (dir: string, epoch: number, rank: number) => join(dir, 'shards', shardFileKey(epoch, rank, 'index'));

const TAMPERS: Record<string, Tamper> = {
  untouched: async () => {},
  'duplicated sample': async (dir, store) => {
    const ids = readShardColumns(await readFile(shardPath(dir, 0, 1)), 't').sampleIds;
    await rewriteShardConsistently(store, 0, 3, (rows) => withSampleAt(rows, 9, ids[6]!, written.index, lengthsForStrategy(written.index, 'total', true)));
  },
  'removed rows in two ranks': async (_dir, store) => {
    await rewriteShardConsistently(store, 1, 4, (rows) => withoutRow(rows, 14));
    await rewriteShardConsistently(store, 2, 0, (rows) => withoutRow(rows, 3));
  },
  'truncated file and a missing one': async (dir) => {
    const bytes = await readFile(shardPath(dir, 1, 2));
    await writeFile(shardPath(dir, 1, 2), bytes.subarray(0, bytes.length - 9));
    await rm(shardPath(dir, 2, 4));
  },
  'epoch manifest corrupted': async (dir) => {
    await writeFile(join(dir, 'shards/epoch-0001/manifest.json'), '{"kind": "nope"}');
  },
  'plan epoch manifest changed': async (dir) => {
    const key = join(dir, 'plan/epoch-0002/manifest.json');
    await writeFile(key, `${await readFile(key, 'utf8')} `);
  },
};

describe('the audit fan-out', () => {
  for (const [name, tamper] of Object.entries(TAMPERS)) {
    it(`writes the single-call report bytes: ${name}`, async () => {
      const dir = join(tmp, name.replace(/ /g, '-'));
      await cp(clean, dir, { recursive: true });
      const store = new FsObjectStore(dir);
      await tamper(dir, store);
      const single = await auditRunInOneCall(store);
      const expected = [await readFile(join(dir, 'audit/report.json')), await readFile(join(dir, 'audit/report.html'))];
      if (name === 'untouched') expect(single.report.passed).toBe(true);
      else expect(single.report.passed).toBe(false);
      for (const ranksPerCall of [1, 2, 64]) {
        await rm(join(dir, 'audit'), { recursive: true });
        const fanned = await auditRun(store, { ranksPerCall });
        expect(fanned.report).toEqual(single.report);
        expect((await readFile(join(dir, 'audit/report.json'))).equals(expected[0]!), `report.json, ${ranksPerCall} ranks per partial`).toBe(true);
        expect((await readFile(join(dir, 'audit/report.html'))).equals(expected[1]!), 'report.html').toBe(true);
      }
    });
  }

  it('reduces from the digests alone: it reads no shard file', async () => {
    const store = new FsObjectStore(clean);
    const sections = auditSections([0, 1, 2], SPEC.worldSize, 2);
    for (const section of sections) await auditSection(store, section);
    const counting = new CountingStore(store);
    const { report } = await reduceAudit(counting, sections);
    expect(report.passed).toBe(true);
    const keys = [...new Set(counting.reads.map((read) => read.key))];
    expect(keys.filter((key) => key.endsWith('.arrow') && key.startsWith('shards/'))).toEqual([]);
    expect(keys.filter((key) => key.startsWith('work/audit/'))).toHaveLength(sections.length);
  });
});
