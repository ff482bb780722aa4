/**
 * Shards and the audit as states of `megashard run`: a shard altered between WriteShards and Audit
 * fails the run at Audit naming the check (run.json not written); and the CLI's `shards` and
 * `audit` commands work on a pipeline-written run folder, giving the pipeline's own bytes.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShardFile, readShardColumns } from '../../lib/arrow/index.js';
import { SHARDS_PREFIX, shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { joinKey } from '../../lib/io/object-store.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 300_000;
let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('run-shards-audit');
  dataset = join(tmp, 'llava');
  const synth = await runCli(['synth', 'llava-sft', '--samples', '160', '--seed', '7', '--out', dataset, '--images']);
  expect(synth.code).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, shard: { ...config.shard, worldSize: 4, perDeviceBatchSize: 2, epochs: 2 } }));
}, LONG);
afterAll(() => removeTempDir(tmp));

describe('megashard run with a shard altered before FinishShards', () => {
  it(
    'fails at Audit as AuditFailed naming the check, and writes no run.json',
    async () => {
      const out = join(tmp, 'tampered');
      let runPrefix: string | undefined;
      const run = runPipeline({
        datasetLocation: dataset,
        outLocation: out,
        workers: 1,
        // Both variants of epoch 1 rank 2 get row 1's sample replaced by row 0's: a duplicate and a missing sample.
        beforeTask: async (task, root) => {
          if (task !== 'FinishShards') return;
          const [prefix] = (await root.openUnder('').list('runs/')).filter((k) => k.endsWith('/chunks.json')).map((k) => k.slice(0, -'/chunks.json'.length));
          runPrefix = prefix!;
          const store = root.openUnder(runPrefix);
          for (const variant of ['tokens', 'index'] as const) {
            const key = joinKey(SHARDS_PREFIX, shardFileKey(1, 2, variant));
            const columns = readShardColumns(await store.get(key), key);
            const sampleIds = columns.sampleIds.slice();
            sampleIds[1] = sampleIds[0]!;
            await store.put(key, encodeShardFile({ ...columns, sampleIds }, columns.metadata));
          }
        },
      });
      await expect(run).rejects.toMatchObject({ name: 'AuditFailed', message: expect.stringMatching(/exactly-once: .*epoch 1/) });
      const files = await listFilesUnder(join(out, runPrefix!));
      expect(files).toEqual(expect.arrayContaining(['audit/report.json', 'shards/manifest.json']));
      expect(files).not.toContain('run.json');
      expect(files).not.toContain('steps/audit.json');
    },
    LONG,
  );
});

describe('megashard shards and audit on a pipeline run folder', () => {
  it(
    'rewrite the shards byte for byte and pass the audit with the same report',
    async () => {
      const result = await runPipeline({ datasetLocation: dataset, outLocation: join(tmp, 'out'), workers: 2 });
      const copy = join(tmp, 'copy');
      await cp(result.runLocation, copy, { recursive: true });
      await rm(join(copy, 'shards'), { recursive: true });
      await rm(join(copy, 'audit'), { recursive: true });
      const shards = await runCli(['shards', copy]);
      expect(shards.stderr).not.toContain('megashard:');
      expect(shards.code).toBe(0);
      const audit = await runCli(['audit', copy, '--quiet']);
      expect(audit.code).toBe(0);
      expect(audit.stdout).toMatch(/^megashard audit: PASSED/);
      for (const file of (await listFilesUnder(result.runLocation)).filter((f) => f.startsWith('shards/') || f.startsWith('audit/'))) {
        expect((await readFile(join(copy, file))).equals(await readFile(join(result.runLocation, file))), file).toBe(true);
      }
    },
    LONG,
  );
});
