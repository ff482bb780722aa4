/**
 * A mixed run end to end: `megashard run` on a two-source dataset whose dataset.json weights its
 * sources (curated ×2.5, web ×0.4) passes the audit per source, and report.json carries the mix;
 * a shard with one sample replaced by another fails `exactly-once` with a located, per-source
 * message; and the fanned-out audit writes the single-call audit's bytes.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShardFile, readShardColumns } from '../../lib/arrow/index.js';
import type { AuditReport } from '../../lib/core/audit/report-schema.js';
import { SHARDS_PREFIX, shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { joinKey } from '../../lib/io/object-store.js';
import { runCli } from '../helpers/run-cli.js';
import { auditRunInOneCall } from '../helpers/single-call-audit.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 300_000;
let tmp: string;
let runLocation: string;

beforeAll(async () => {
  tmp = await makeTempDir('run-mixture-audit');
  const dataset = join(tmp, 'llava');
  const synth = await runCli(['synth', 'llava-sft', '--samples', '120', '--seed', '3', '--out', dataset, '--images']);
  expect(synth.code, synth.stderr).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  const records = JSON.parse(await readFile(join(dataset, config.sources[0].path), 'utf8')) as unknown[];
  await writeFile(join(dataset, 'data/curated.json'), JSON.stringify(records.slice(0, 20)));
  await writeFile(join(dataset, 'data/web.json'), JSON.stringify(records.slice(20)));
  const sources = [
    { path: 'data/curated.json', format: 'llava', repeat: 2.5 },
    { path: 'data/web.json', format: 'llava', repeat: 0.4 },
  ];
  await writeFile(
    join(dataset, 'dataset.json'),
    JSON.stringify({ ...config, sources, shard: { ...config.shard, worldSize: 4, perDeviceBatchSize: 2, epochs: 3 } }),
  );
  const run = await runCli(['run', dataset, '--out', join(tmp, 'out'), '--workers', '1', '--json']);
  expect(run.stderr).not.toContain('megashard:');
  expect(run.code).toBe(0);
  runLocation = (JSON.parse(run.stdout) as { runLocation: string }).runLocation;
}, LONG);
afterAll(() => removeTempDir(tmp));

const readReport = async (dir: string) => JSON.parse(await readFile(join(dir, 'audit/report.json'), 'utf8')) as AuditReport;

describe('megashard run on a dataset with source weights', () => {
  it('passes the audit per source; report.json has the mix per epoch and the running coverage of web', async () => {
    const report = await readReport(runLocation);
    expect(report.passed).toBe(true);
    expect(report.checks.find((c) => c.id === 'exactly-once')!.status).toBe('pass');
    const mix = report.epochs.map((e) => e.mix!.sources.map((s) => ({ ...s, name: s.name.replace(/^.*\//, '') })));
    for (const sources of mix) {
      for (const s of sources) {
        expect(s.seenEntries, s.name).toBe(s.declaredEntries);
        expect(s.seenDistinct, s.name).toBe(s.declaredDistinct);
      }
      const [curated, web] = sources as [(typeof sources)[number], (typeof sources)[number]];
      expect(curated.name).toBe('curated.json');
      expect(curated.declaredEntries).toBe(Math.round(curated.samples * 2.5));
      expect(web.declaredDistinct).toBe(Math.round(web.samples * 0.4));
    }
    // The rotation: web's epochs take disjoint windows until the source is covered.
    const web = mix.map((sources) => sources[1]!);
    expect(web.map((s) => s.seenSoFar)).toEqual([web[0]!.declaredDistinct, 2 * web[0]!.declaredDistinct, web[0]!.samples]);
    const html = await readFile(join(runLocation, 'audit/report.html'), 'utf8');
    expect(html).toContain('<h2>Source mix</h2>');
  });

  it('fails a shard with one sample replaced by another: exactly-once names epoch, rank, step and source', async () => {
    const copy = join(tmp, 'tampered');
    await cp(runLocation, copy, { recursive: true });
    const store = new FsObjectStore(copy);
    for (const variant of ['tokens', 'index'] as const) {
      const key = joinKey(SHARDS_PREFIX, shardFileKey(1, 2, variant));
      const columns = readShardColumns(await store.get(key), key);
      const sampleIds = columns.sampleIds.slice();
      sampleIds[1] = sampleIds[0]!;
      await store.put(key, encodeShardFile({ ...columns, sampleIds }, columns.metadata));
    }
    const audit = await runCli(['audit', copy, '--quiet']);
    expect(audit.code).toBe(1);
    const report = await readReport(copy);
    const failures = report.checks.find((c) => c.id === 'exactly-once')!.failures;
    expect(
      failures.some((f) => f.epoch === 1 && f.rank === 2 && f.step === 0 && /^sample \d+ \(source .*\) seen \d+ times by here, declared \d+$/.test(f.message)),
    ).toBe(true);
    expect(failures.some((f) => f.epoch === 1 && f.rank === null && /^sample \d+ \(source .*\) seen \d+ times, declared \d+$/.test(f.message))).toBe(true);
    // The fan-out's bytes are the single-call audit's.
    const fanned = await readFile(join(copy, 'audit/report.json'));
    await auditRunInOneCall(store);
    expect((await readFile(join(copy, 'audit/report.json'))).equals(fanned)).toBe(true);
  });
});
