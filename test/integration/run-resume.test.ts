/**
 * A local run killed mid-way (SIGKILL: no cleanup of any kind) and started again ends with exactly
 * the bytes of an uninterrupted run; chunks the killed run had completed are verified and kept,
 * not tokenized again.
 */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';
import { runCli } from '../helpers/run-cli.js';
import { listRunArtifacts, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 600_000;
let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('resume');
  dataset = join(tmp, 'data');
  const synth = await runCli(['synth', 'interleaved', '--samples', '400', '--seed', '5', '--out', dataset, '--images']);
  expect(synth.code).toBe(0);
  // Many small chunks, so the kill lands with work done and work left.
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, chunkBytes: 40_000 }));
}, LONG);
afterAll(() => removeTempDir(tmp));

/** The run folder under `<out>/runs/*` once `folder` of it holds an .arrow file, or undefined. */
async function firstArrowIn(out: string, folder: string): Promise<string | undefined> {
  const runs = await readdir(join(out, 'runs')).catch(() => []);
  for (const run of runs) {
    const parts = await readdir(join(out, 'runs', run, folder), { recursive: true }).catch(() => []);
    if (parts.some((name) => String(name).endsWith('.arrow'))) return join(out, 'runs', run);
  }
  return undefined;
}
const firstTokensPart = (out: string) => firstArrowIn(out, 'tokens');

describe('megashard run, killed and restarted', () => {
  it(
    'ends with the same bytes as an uninterrupted run, keeping the chunks it had finished',
    async () => {
      const full = await runCli(['run', dataset, '--out', join(tmp, 'full'), '--workers', '1', '--json']);
      expect(full.code).toBe(0);
      const { runId, runLocation } = JSON.parse(full.stdout) as { runId: string; runLocation: string };

      const out = join(tmp, 'killed');
      const child = spawnCli(['run', dataset, '--out', out, '--workers', '1']);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      let runDir: string | undefined;
      while (runDir === undefined && child.exitCode === null) {
        runDir = await firstTokensPart(out);
        if (runDir === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGKILL');
      expect(await exited, child.output.stderr).toBe('SIGKILL');
      expect(runDir).toBe(join(out, 'runs', runId));
      const killedFiles = await listRunArtifacts(runDir!);
      expect(killedFiles).not.toContain('run.json');
      // Chunks whose step record was written before the kill: their tokens must survive the rerun untouched.
      const finished = killedFiles.filter((f) => f.startsWith('steps/tokenize/')).map((f) => f.replace(/^steps\/tokenize\/(.*)\.json$/, 'tokens/$1.arrow'));
      const mtimes = new Map(await Promise.all(finished.map(async (f) => [f, (await stat(join(runDir!, f))).mtimeMs] as const)));

      const again = await runCli(['run', dataset, '--out', out, '--workers', '2', '--json']);
      expect(again.stderr).not.toContain('megashard:');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ runId, ran: true });

      const expected = await listRunArtifacts(runLocation);
      // Killed mid-way: some chunks' tokens were written, not all.
      const tokensAtKill = killedFiles.filter((f) => f.startsWith('tokens/')).length;
      expect(tokensAtKill).toBeGreaterThan(0);
      expect(tokensAtKill).toBeLessThan(expected.filter((f) => f.startsWith('tokens/')).length);
      expect(await listRunArtifacts(runDir!)).toEqual(expected);
      for (const file of expected) {
        expect((await readFile(join(runDir!, file))).equals(await readFile(join(runLocation, file))), file).toBe(true);
      }
      for (const [file, mtime] of mtimes) expect((await stat(join(runDir!, file))).mtimeMs, file).toBe(mtime);
    },
    LONG,
  );

  it(
    'killed while writing shards, ends with the same bytes, shards and audit included',
    async () => {
      const full = await runCli(['run', dataset, '--out', join(tmp, 'full-2'), '--workers', '1', '--json']);
      expect(full.code).toBe(0);
      const { runLocation } = JSON.parse(full.stdout) as { runLocation: string };
      const out = join(tmp, 'killed-in-shards');
      const child = spawnCli(['run', dataset, '--out', out, '--workers', '1']);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      let runDir: string | undefined;
      while (runDir === undefined && child.exitCode === null) {
        runDir = await firstArrowIn(out, 'shards');
        if (runDir === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      expect(await exited, child.output.stderr).toBe('SIGKILL');
      const killedFiles = await listRunArtifacts(runDir!);
      expect(killedFiles).not.toContain('run.json');
      expect(killedFiles).not.toContain('audit/report.json');

      const again = await runCli(['run', dataset, '--out', out, '--workers', '2', '--json']);
      expect(again.stderr).not.toContain('megashard:');
      expect(again.code).toBe(0);
      const expected = await listRunArtifacts(runLocation);
      expect(expected).toEqual(expect.arrayContaining(['shards/manifest.json', 'audit/report.json', 'audit/report.html']));
      expect(await listRunArtifacts(runDir!)).toEqual(expected);
      for (const file of expected) {
        expect((await readFile(join(runDir!, file))).equals(await readFile(join(runLocation, file))), file).toBe(true);
      }
    },
    LONG,
  );
});
