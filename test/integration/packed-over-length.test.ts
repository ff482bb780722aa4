/**
 * The over-length policy of a packing block end to end (issue 11, "Bad input"): `megashard run` on
 * a synth LLaVA-SFT dataset whose budget is smaller than some samples.
 * - `overLength: "reject"`: those samples are listed with a reason (the epoch manifest's droppedIds
 *   and packing.rejectedReasons, and the CLI summary), the rest are packed, no pack is over budget,
 *   and the audit passes with exactly-once accounting for the rejected ids.
 * - `overLength: "own-pack"` (the default): each over-length sample is alone in its pack, and
 *   pack-budget passes, counting those packs as declared exceptions.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLengthIndex, readShardColumns } from '../../lib/arrow/index.js';
import { auditReportSchema, type AuditReport } from '../../lib/core/audit/report-schema.js';
import { epochManifestSchema } from '../../lib/core/plan/manifest.js';
import { packStartsOfColumn } from '../../lib/core/shards/packed-rank-layout.js';
import { shardFileKey } from '../../lib/core/shards/shard-layout.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 300_000;
const MAX_TOKENS = 900;
const WORLD = 3;
const EPOCHS = 2;
let tmp: string;

/** A synth LLaVA-SFT dataset whose shard spec packs to MAX_TOKENS with the given over-length policy. */
async function packedDataset(name: string, overLength?: 'reject' | 'own-pack'): Promise<string> {
  const dataset = join(tmp, name);
  const synth = await runCli(['synth', 'llava-sft', '--samples', '120', '--seed', '11', '--out', dataset, '--images']);
  expect(synth.code, synth.stderr).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  const { perDeviceBatchSize: _batch, strategy: _strategy, ...shard } = config.shard;
  const packing = { strategy: 'balanced-pack', maxTokens: MAX_TOKENS, ...(overLength ? { overLength } : {}) };
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, shard: { ...shard, worldSize: WORLD, epochs: EPOCHS, packing } }));
  return dataset;
}

/** Per pack of every rank of an epoch: its sample ids, tokens and whether it is declared padding. */
async function packsOf(run: string, epoch: number): Promise<Array<{ ids: number[]; tokens: number; padding: boolean }>> {
  const packs = [];
  for (let rank = 0; rank < WORLD; rank++) {
    const columns = readShardColumns(await readFile(join(run, 'shards', shardFileKey(epoch, rank, 'tokens'))), `rank ${rank}`);
    const starts = packStartsOfColumn(columns.pack!, columns.stepStarts);
    for (let j = 0; j + 1 < starts.length; j++) {
      const rows = Array.from({ length: starts[j + 1]! - starts[j]! }, (_, k) => starts[j]! + k);
      packs.push({
        ids: rows.map((p) => columns.sampleIds[p]!),
        tokens: rows.reduce((sum, p) => sum + columns.totalTokens[p]!, 0),
        padding: columns.isPadding[rows[0]!] !== 0,
      });
    }
  }
  return packs;
}

const readReport = async (run: string): Promise<AuditReport> => auditReportSchema.parse(JSON.parse(await readFile(join(run, 'audit/report.json'), 'utf8')));
const statusOf = (report: AuditReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

beforeAll(async () => {
  tmp = await makeTempDir('packed-over-length');
}, LONG);
afterAll(() => removeTempDir(tmp));

describe('a packing budget smaller than some samples', () => {
  it(
    'overLength "reject": the samples are listed with a reason, printed by the CLI, the rest packed within budget, and the audit passes',
    async () => {
      const dataset = await packedDataset('reject', 'reject');
      const result = await runCli(['run', dataset, '--out', join(tmp, 'out-reject'), '--workers', '1']);
      expect(result.code, result.stderr).toBe(0);
      const runLocation = /outputs {6}: (.+)/.exec(result.stdout)![1]!;
      const { totalTokens } = decodeLengthIndex(await readFile(join(runLocation, 'index/lengths.arrow'))).index;
      const over = Array.from(totalTokens.keys()).filter((id) => totalTokens[id]! > MAX_TOKENS);
      expect(over.length).toBeGreaterThan(0);
      expect(over.length).toBeLessThan(totalTokens.length / 2);

      for (let epoch = 0; epoch < EPOCHS; epoch++) {
        const key = `plan/epoch-${String(epoch).padStart(4, '0')}/manifest.json`;
        const manifest = epochManifestSchema.parse(JSON.parse(await readFile(join(runLocation, key), 'utf8')));
        expect(manifest.droppedIds).toEqual(over);
        expect(manifest.packing!.rejectedReasons).toEqual(over.map(() => 'tokens-over-budget'));
        expect(manifest.packing!.rejected).toEqual({ count: over.length, byReason: { 'tokens-over-budget': over.length, 'images-over-cap': 0 } });
        // The rest are packed, once each, and no pack is over the budget.
        const packs = await packsOf(runLocation, epoch);
        const packed = packs.filter((p) => !p.padding).flatMap((p) => p.ids);
        expect(packed.toSorted((a, b) => a - b)).toEqual(Array.from(totalTokens.keys()).filter((id) => totalTokens[id]! <= MAX_TOKENS));
        expect(Math.max(...packs.map((p) => p.tokens))).toBeLessThanOrEqual(MAX_TOKENS);
      }

      expect(result.stdout).toContain(
        `  pack rejects : ${over.length} per epoch, over the packing limits, in no pack (ids: ${runLocation}/plan/epoch-0000/manifest.json droppedIds`,
      );
      expect(result.stdout).toContain(`${over.length} × tokens-over-budget: more tokens than maxTokens ${MAX_TOKENS}, samples ${over.slice(0, 5).join(', ')}`);

      const report = await readReport(runLocation);
      expect(report.passed).toBe(true);
      const status = statusOf(report);
      for (const id of ['exactly-once', 'pack-budget', 'pack-structure', 'pack-positions', 'boundary-labels', 'matches-plan'])
        expect(status[id], id).toBe('pass');
      expect(report.epochs[0]!).toMatchObject({ droppedSamples: over.length, distinctSamples: totalTokens.length - over.length });
      expect(report.epochs[0]!.packing).toMatchObject({ overLength: 'reject', ownPackOverBudget: 0 });
      expect(report.epochs[0]!.packing!.fill.counts.at(-1)).toBe(0);
      // report.html of a packed run: the pack figures, none of the fixed-batch ones.
      const html = await readFile(join(runLocation, 'audit/report.html'), 'utf8');
      expect(html).toContain('data-chart="pack-fill"');
      for (const chart of ['padding-waste', 'step-tokens-heatmap', 'step-imbalance']) expect(html).not.toContain(`data-chart="${chart}"`);
    },
    LONG,
  );

  it(
    'overLength "own-pack" (the default): each over-length sample trains alone in its pack, and pack-budget passes',
    async () => {
      const dataset = await packedDataset('own-pack');
      const { runLocation } = await runPipeline({ datasetLocation: dataset, outLocation: join(tmp, 'out-own-pack'), workers: 1 });
      const { totalTokens } = decodeLengthIndex(await readFile(join(runLocation, 'index/lengths.arrow'))).index;
      const over = Array.from(totalTokens.keys()).filter((id) => totalTokens[id]! > MAX_TOKENS);
      expect(over.length).toBeGreaterThan(0);

      const packs = (await packsOf(runLocation, 0)).filter((p) => !p.padding);
      const overBudget = packs.filter((p) => p.tokens > MAX_TOKENS);
      expect(overBudget.every((p) => p.ids.length === 1)).toBe(true);
      expect(overBudget.map((p) => p.ids[0]).toSorted((a, b) => a! - b!)).toEqual(over);

      const report = await readReport(runLocation);
      expect(report.passed).toBe(true);
      const status = statusOf(report);
      for (const id of ['exactly-once', 'pack-budget', 'pack-structure']) expect(status[id], id).toBe('pass');
      expect(report.epochs[0]!).toMatchObject({ droppedSamples: 0, distinctSamples: totalTokens.length });
      expect(report.epochs[0]!.packing).toMatchObject({ overLength: 'own-pack', ownPackOverBudget: over.length });
    },
    LONG,
  );
});
