/**
 * Packed shards end to end: `megashard run` on a synth LLaVA-SFT dataset whose shard spec has a
 * packing block writes packed shards (format 2) that the audit passes, byte-identical for any
 * worker count; `openShard` seeks to a step of whole packs; and a shard whose boundary label is not
 * masked fails the run at Audit naming the check, epoch, rank and step.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShardFile, readShardColumns } from '../../lib/arrow/index.js';
import { auditReportSchema } from '../../lib/core/audit/report-schema.js';
import { packStartsOfColumn } from '../../lib/core/shards/packed-rank-layout.js';
import { IGNORE_INDEX } from '../../lib/core/shards/packed-token-columns.js';
import { SHARDS_PREFIX, shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { joinKey } from '../../lib/io/object-store.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { openShard } from '../../lib/shard/index.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 300_000;
const MAX_TOKENS = 2048;
let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('packed-shards');
  dataset = join(tmp, 'llava');
  const synth = await runCli(['synth', 'llava-sft', '--samples', '160', '--seed', '11', '--out', dataset, '--images']);
  expect(synth.code).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  const { perDeviceBatchSize: _batch, strategy: _strategy, ...shard } = config.shard;
  const packing = { strategy: 'balanced-pack', maxTokens: MAX_TOKENS, maxImagesPerPack: 6 };
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, shard: { ...shard, worldSize: 3, epochs: 2, packing } }));
}, LONG);
afterAll(() => removeTempDir(tmp));

describe('megashard run with a packing block', () => {
  it(
    'writes packed shards the audit passes, the same bytes with 1 or 2 workers',
    async () => {
      const one = await runPipeline({ datasetLocation: dataset, outLocation: join(tmp, 'one'), workers: 1 });
      const two = await runPipeline({ datasetLocation: dataset, outLocation: join(tmp, 'two'), workers: 2 });
      const report = auditReportSchema.parse(JSON.parse(await readFile(join(one.runLocation, 'audit/report.json'), 'utf8')));
      expect(report.passed).toBe(true);
      const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
      for (const id of ['pack-structure', 'pack-budget', 'pack-image-cap', 'pack-positions', 'boundary-labels', 'exactly-once', 'matches-plan'])
        expect(status[id], id).toBe('pass');
      expect(status['full-micro-batches']).toBe('skip');
      const packing = report.epochs[0]!.packing!;
      expect(packing.maxTokens).toBe(MAX_TOKENS);
      expect(packing.efficiency).toBeGreaterThan(0.5);
      expect(packing.fill.counts.reduce((a, b) => a + b, 0)).toBe(packing.packs);
      const html = await readFile(join(one.runLocation, 'audit/report.html'), 'utf8');
      expect(html).toContain('Pack fill and rank balance');
      expect(html).toContain('data-chart="pack-fill"');

      const files = (await listFilesUnder(one.runLocation)).filter((f) => f.startsWith('shards/') || f.startsWith('audit/'));
      for (const file of files) expect(await readFile(join(two.runLocation, file)), file).toEqual(await readFile(join(one.runLocation, file)));

      const manifest = JSON.parse(await readFile(join(one.runLocation, 'shards/manifest.json'), 'utf8'));
      expect(manifest.packing).toMatchObject({ maxTokens: MAX_TOKENS, maxImagesPerPack: 6, overLength: 'own-pack' });
      const columns = readShardColumns(await readFile(join(one.runLocation, 'shards', shardFileKey(0, 1, 'tokens'))), 'rank 1');
      expect(columns.metadata.formatVersion).toBe('2');
      const tokens = columns.tokens!;
      const packStarts = packStartsOfColumn(columns.pack!, columns.stepStarts);
      // Every step is whole packs; every sample's positions restart at 0; boundary labels are masked.
      for (let j = 0; j + 1 < packStarts.length; j++) {
        for (let p = packStarts[j]!; p < packStarts[j + 1]!; p++) {
          expect(tokens.positionIds![tokens.tokenOffsets[p]!]).toBe(0);
          if (p > packStarts[j]!) expect(tokens.labels[tokens.tokenOffsets[p]!]).toBe(IGNORE_INDEX);
        }
      }
      const steps = columns.stepStarts.length - 1;
      const k = Math.floor(steps / 2);
      const batches = [];
      for await (const batch of openShard(one.runLocation, { epoch: 0, rank: 1, fromStep: k })) batches.push(batch);
      expect(batches.map((b) => b.step)).toEqual(Array.from({ length: steps - k }, (_, i) => k + i));
      expect(Array.from(batches[0]!.sampleIds)).toEqual(Array.from(columns.sampleIds.subarray(columns.stepStarts[k], columns.stepStarts[k + 1])));
      expect(batches[0]!.positionIds?.values.length).toBe(batches[0]!.inputIds?.values.length);
    },
    LONG,
  );

  it(
    'fails at Audit when a boundary label is not masked, naming epoch, rank and step',
    async () => {
      let tamperedStep = -1;
      const run = runPipeline({
        datasetLocation: dataset,
        outLocation: join(tmp, 'tampered'),
        workers: 1,
        beforeTask: async (task, root) => {
          if (task !== 'FinishShards') return;
          const [prefix] = (await root.openUnder('').list('runs/')).filter((k) => k.endsWith('/chunks.json')).map((k) => k.slice(0, -'/chunks.json'.length));
          const store = root.openUnder(prefix!);
          const key = joinKey(SHARDS_PREFIX, shardFileKey(1, 2, 'tokens'));
          const columns = readShardColumns(await store.get(key), key);
          const packStarts = packStartsOfColumn(columns.pack!, columns.stepStarts);
          // The second sample of the first pack with two: its first label made trainable.
          const j = packStarts.findIndex((start, i) => i + 1 < packStarts.length && packStarts[i + 1]! - start >= 2);
          const row = packStarts[j]! + 1;
          let step = 0;
          while (columns.stepStarts[step + 1]! <= row) step++;
          tamperedStep = columns.metadata.firstStep + step;
          const labels = columns.tokens!.labels.slice();
          labels[columns.tokens!.tokenOffsets[row]!] = 1;
          await store.put(key, encodeShardFile({ ...columns, tokens: { ...columns.tokens!, labels } }, columns.metadata, columns.stepStarts));
        },
      });
      const error = await run.catch((e: Error) => e);
      expect(error).toMatchObject({ name: 'AuditFailed' });
      expect((error as Error).message).toMatch(new RegExp(`boundary-labels: epoch 1 rank 2 step ${tamperedStep}: pack \\d+ sample \\d+`));
    },
    LONG,
  );
});
