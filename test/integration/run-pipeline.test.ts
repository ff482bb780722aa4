/**
 * `megashard run`: the deployed state machine run locally on a real synthetic dataset with the real
 * tokenizer — the same bytes for any worker count and whether the data sits in a folder or in S3
 * (s3rver), nothing done for an unchanged dataset, and bad input or an unwritable output refused
 * with a clear error before anything is written.
 */
import { readFile, stat, writeFile, cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDefaultS3Client } from '../../lib/io/s3-store.js';
import { auditReportSchema } from '../../lib/core/audit/report-schema.js';
import { runRecordSchema } from '../../lib/run/run-record.js';
import { runCli } from '../helpers/run-cli.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { listFilesUnder, listRunArtifacts, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 300_000;
let tmp: string;
let dataset: string;

interface RunJson {
  readonly runId: string;
  readonly runLocation: string;
  readonly ran: boolean;
  readonly outputs: Record<string, Record<string, unknown>>;
  readonly timing: { readonly runMs: number; readonly taskBusyMs: number; readonly machineOverheadMs: number };
}

async function run(args: string[]): Promise<{ code: number; stderr: string; result?: RunJson }> {
  const { code, stdout, stderr } = await runCli(['run', ...args, '--json']);
  return { code, stderr, ...(code === 0 ? { result: JSON.parse(stdout) as RunJson } : {}) };
}

/** Every artifact of the run folder `dir` with its bytes (map-results/ diagnostics aside). */
async function contents(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const file of await listRunArtifacts(dir)) files.set(file, await readFile(join(dir, file)));
  return files;
}

/** A copy of the dataset with dataset.json changed by `edit`. */
async function datasetWith(name: string, edit: (config: Record<string, unknown>) => void): Promise<string> {
  const copy = join(tmp, name);
  await cp(dataset, copy, { recursive: true });
  const config = JSON.parse(await readFile(join(copy, 'dataset.json'), 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(join(copy, 'dataset.json'), JSON.stringify(config));
  return copy;
}

beforeAll(async () => {
  tmp = await makeTempDir('run');
  dataset = join(tmp, 'llava');
  const synth = await runCli(['synth', 'llava-sft', '--samples', '600', '--seed', '3', '--out', dataset, '--images']);
  expect(synth.code).toBe(0);
  // s3rver 3.7 reports a common prefix only for a folder holding an object of its own (AWS reports
  // every one): a note in each image folder makes the S3 run list the same folders into the same
  // image-table parts as the folder run (a note is listed, never referred to).
  for (const folder of await readdir(join(dataset, 'images'))) await writeFile(join(dataset, 'images', folder, 'NOTE.txt'), 'image folder\n');
  // Small chunks, so the map has several batches of MaxItemsPerBatch (4) chunks.
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  // 70 ranks × 2 epochs: more ranks than one Assemble call takes (64), so that map has several items too.
  await writeFile(
    join(dataset, 'dataset.json'),
    JSON.stringify({ ...config, chunkBytes: 60_000, shard: { ...config.shard, worldSize: 70, perDeviceBatchSize: 2, epochs: 2 } }),
  );
}, LONG);
afterAll(() => removeTempDir(tmp));

let first: RunJson;

describe('megashard run on a folder', () => {
  it(
    'writes every output under <out>/runs/<run id>/, byte for byte the same with 1 and 2 workers',
    async () => {
      const one = await run([dataset, '--out', join(tmp, 'out1'), '--workers', '1']);
      const two = await run([dataset, '--out', join(tmp, 'out2'), '--workers', '2']);
      expect(one.stderr).not.toContain('megashard:');
      expect([one.code, two.code]).toEqual([0, 0]);
      first = one.result!;
      expect(two.result!.runId).toBe(first.runId);
      expect(first.runLocation).toBe(join(tmp, 'out1', 'runs', first.runId));
      const a = await contents(first.runLocation);
      const b = await contents(two.result!.runLocation);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [file, bytes] of a) expect(b.get(file)?.equals(bytes), file).toBe(true);

      const files = [...a.keys()];
      expect(files).toEqual(
        expect.arrayContaining(['chunks.json', 'index/lengths.arrow', 'plan/manifest.json', 'run.json', 'steps/merge-index.json', 'steps/plan-shards.json']),
      );
      const chunks = JSON.parse(a.get('chunks.json')!.toString()) as unknown[];
      expect(chunks.length).toBeGreaterThan(4);
      expect(files.filter((f) => f.startsWith('tokens/'))).toHaveLength(chunks.length);
      expect(files.filter((f) => f.startsWith('steps/tokenize/'))).toHaveLength(chunks.length);
      const record = runRecordSchema.parse(JSON.parse(a.get('run.json')!.toString()));
      expect(record.outputs.index).toMatchObject({ indexKey: 'index/lengths.arrow', samples: 600 });
      expect(record.outputs.plan).toMatchObject({
        manifestKey: 'plan/manifest.json',
        epochs: 2,
        shardWorkKey: 'shard-work.json',
        shardWorkItems: 4,
        routeWorkKey: 'route-work.json',
        routeWorkItems: chunks.length,
      });
      expect(JSON.parse(a.get('shard-work.json')!.toString())).toEqual([
        { epoch: 0, ranks: [0, 64], section: 0 },
        { epoch: 0, ranks: [64, 70], section: 1 },
        { epoch: 1, ranks: [0, 64], section: 2 },
        { epoch: 1, ranks: [64, 70], section: 3 },
      ]);
      // Shards of both variants for every rank of every epoch, the manifest last, then a passing audit.
      expect(record.outputs.shards).toEqual({ manifestKey: 'shards/manifest.json', epochs: 2, files: 2 * 70 * 2 });
      expect(files.filter((f) => /^shards\/epoch-\d{4}\/rank-\d{5}(\.index)?\.arrow$/.test(f))).toHaveLength(2 * 70 * 2);
      const report = auditReportSchema.parse(JSON.parse(a.get('audit/report.json')!.toString()));
      expect(report.passed).toBe(true);
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(report.epochs.map((e) => e.coverage)).toEqual([1, 1]);
      expect(record.outputs.audit).toMatchObject({ reportKey: 'audit/report.json', htmlKey: 'audit/report.html', checks: report.checks.length });
      expect(files).toEqual(
        expect.arrayContaining(['tokenize.json', 'steps/shard-routes.json', 'steps/finish-shards.json', 'steps/audit.json', 'audit/report.html']),
      );
      // One Route step per tokens file, one Assemble and one audit partial per section; their intermediates are gone.
      expect(files.filter((f) => f.startsWith('steps/route/'))).toHaveLength(chunks.length);
      expect(files.filter((f) => f.startsWith('steps/assemble/'))).toHaveLength(4);
      expect(files.filter((f) => f.startsWith('steps/audit-partial/'))).toHaveLength(4);
      expect(files.filter((f) => f.startsWith('work/'))).toEqual([]);
      // The source-block digests Prepare combined are gone from the execution's staging folder too.
      expect(await listFilesUnder(join(tmp, 'out1', 'runs', '_prepare'))).toEqual([]);
      // run.json is written last: no file of the run is newer.
      const written = await Promise.all(files.map(async (f) => (await stat(join(first.runLocation, f))).mtimeMs));
      expect((await stat(join(first.runLocation, 'run.json'))).mtimeMs).toBe(Math.max(...written));
      expect(record.steps.map((s) => s.key)).toEqual(files.filter((f) => f.startsWith('steps/')));
      // Each Distributed Map's ResultWriter output sits in the run's folder, as in the bucket, and nothing beside the runs.
      expect(await readdir(join(first.runLocation, 'map-results'))).toHaveLength(5);
      expect(await readdir(join(tmp, 'out1'))).toEqual(['runs']);
      expect(first.timing.machineOverheadMs).toBeGreaterThanOrEqual(0);
      expect(first.timing.taskBusyMs).toBeLessThanOrEqual(first.timing.runMs);
    },
    LONG,
  );

  it(
    'does nothing for an unchanged dataset: Prepare finds run.json and the machine stops',
    async () => {
      const before = await listFilesUnder(join(tmp, 'out1'));
      const mtime = (await stat(join(first.runLocation, 'run.json'))).mtimeMs;
      const again = await run([dataset, '--out', join(tmp, 'out1'), '--workers', '2']);
      expect(again.code).toBe(0);
      expect(again.result).toMatchObject({ runId: first.runId, ran: false });
      expect(await listFilesUnder(join(tmp, 'out1'))).toEqual(before);
      expect((await stat(join(first.runLocation, 'run.json'))).mtimeMs).toBe(mtime);
    },
    LONG,
  );

  it(
    'names the run by content: another shard seed is another run id',
    async () => {
      const reseeded = await datasetWith('reseeded', (config) => (config.shard = { ...(config.shard as object), seed: 4 }));
      const other = await run([reseeded, '--out', join(tmp, 'out1'), '--workers', '2']);
      expect(other.code).toBe(0);
      expect(other.result!.runId).not.toBe(first.runId);
      // Tokens do not depend on the seed: same bytes; the plan does.
      const tokens = (await listFilesUnder(first.runLocation)).filter((f) => f.startsWith('tokens/'));
      for (const file of tokens)
        expect((await readFile(join(other.result!.runLocation, file))).equals(await readFile(join(first.runLocation, file))), file).toBe(true);
    },
    LONG,
  );
});

describe('megashard run refuses bad input before writing anything', () => {
  it(
    'an invalid dataset.json fails fast with the zod issue path (exit 2)',
    async () => {
      const bad = await datasetWith('bad-config', (config) => ((config.sources as Array<{ path: string }>)[0]!.path = '../outside.json'));
      const out = join(tmp, 'out-bad');
      const { code, stderr } = await run([bad, '--out', out]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/megashard: InvalidInput: .*dataset\.json\.sources\.0\.path: "\.\.\/outside\.json"/);
      expect(await listFilesUnder(out)).toEqual([]);
    },
    LONG,
  );

  it(
    'a missing tokenizer is named, with what to do (exit 2)',
    async () => {
      const noTokenizer = await datasetWith('no-tokenizer', (config) => (config.tokenizer = { path: 'tokenizer/tokenizer.json' }));
      const out = join(tmp, 'out-no-tokenizer');
      const { code, stderr } = await run([noTokenizer, '--out', out]);
      expect(code).toBe(2);
      expect(stderr).toContain('dataset.json.tokenizer');
      expect(stderr).toContain(`${noTokenizer}/tokenizer/tokenizer.json does not exist`);
      expect(await listFilesUnder(out)).toEqual([]);
    },
    LONG,
  );

  it(
    'an output it may not write is a StorageFailed naming the path (exit 1)',
    async () => {
      // Root ignores file modes, but no one may create files in /sys.
      const out = `/sys/megashard-${process.pid}`;
      const { code, stderr } = await run([dataset, '--out', out, '--workers', '1']);
      expect(code).toBe(1);
      // The first object a run writes is the list of source blocks to hash, in the execution's staging folder under runs/.
      expect(stderr).toMatch(new RegExp(`megashard: StorageFailed: .*${out}/runs/_prepare/[^/]+/work/source-hashes/source-blocks\\.json: permission denied`));
    },
    LONG,
  );
});

describe('megashard run on S3', () => {
  let server: S3rverHandle;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    server = await startS3rver(['megashard-data']);
    const bucket = server.store('s3://megashard-data/datasets/llava');
    for (const file of await listFilesUnder(dataset)) await bucket.put(file, await readFile(join(dataset, file)));
    for (const [name, value] of Object.entries(server.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    setDefaultS3Client(undefined); // rebuilt from the variables just set
  }, LONG);
  afterAll(async () => {
    setDefaultS3Client(undefined);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
  });

  it(
    'gives the same run id and the same bytes as the folder run',
    async () => {
      const s3 = await run(['s3://megashard-data/datasets/llava', '--out', 's3://megashard-data', '--workers', '2']);
      expect(s3.stderr).not.toContain('megashard:');
      expect(s3.code).toBe(0);
      expect(s3.result).toMatchObject({ runId: first.runId, runLocation: `s3://megashard-data/runs/${first.runId}`, ran: true });
      const runStore = server.store(`s3://megashard-data/runs/${first.runId}`);
      const local = await contents(first.runLocation);
      expect((await runStore.list('')).filter((key) => !key.startsWith('map-results/'))).toEqual([...local.keys()]);
      for (const [file, bytes] of local) expect(Buffer.from(await runStore.get(file)).equals(bytes), file).toBe(true);
    },
    LONG,
  );
});
