/**
 * A newcomer's first runs (issue 9) and record faults end to end (issue 13): a synthesized dataset
 * runs as written, with or without images; rejects are printed by reason; a run whose rejects
 * exceed `maxRejectedFraction`, or empty it, fails at MergeIndex saying why and where the rejects
 * are; raising the budget resumes the same run. No fault of a record prints a stack trace.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/run-cli.js';

const LONG = 240_000;
let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('run-rejects');
});
afterAll(() => removeTempDir(tmp));

async function synth(name: string, ...flags: string[]): Promise<string> {
  const out = join(tmp, name);
  const result = await runCli(['synth', 'llava-pretrain', '--samples', '40', '--seed', '4', '--out', out, ...flags]);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

async function editConfig(dataset: string, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify(config));
}

const run = (dataset: string, out: string) => runCli(['run', dataset, '--out', join(tmp, out), '--workers', '1']);
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

describe('a synthesized dataset runs as written', () => {
  it(
    'llava-pretrain writes its images by default, and the run has no rejects',
    async () => {
      const dataset = await synth('pretrain');
      expect((await listFilesUnder(join(dataset, 'images'))).length).toBeGreaterThan(0);
      const result = await run(dataset, 'out-pretrain');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/length index : .* \(40 samples, 0 duplicate ids removed\)/);
      expect(result.stdout).toContain('  rejects      : none');
    },
    LONG,
  );

  it(
    '--no-images writes no images and a dataset.json that does not check them',
    async () => {
      const dataset = await synth('pretrain-no-images', '--no-images');
      expect(await listFilesUnder(join(dataset, 'images'))).toEqual([]);
      expect(JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'))).toMatchObject({ imageCheck: 'none' });
      const result = await run(dataset, 'out-no-images');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\(40 samples, /);
    },
    LONG,
  );
});

describe('the reject budget', () => {
  let dataset: string;
  let failed: Awaited<ReturnType<typeof run>>;
  const BAD = ['bad\u0000name.jpg', '../dataset.json', '/images/x.jpg', 'a-missing-one.jpg'];

  beforeAll(async () => {
    dataset = await synth('budget');
    const path = join(dataset, 'data', 'blip_laion_cc_sbu_558k.json');
    const records = JSON.parse(await readFile(path, 'utf8')) as Array<Record<string, unknown>>;
    const bad = BAD.map((image, k) => ({ ...records[k]!, id: `bad-${k}`, image }));
    await writeFile(path, JSON.stringify([...records, ...bad]));
    failed = await run(dataset, 'out-budget');
  }, LONG);

  it('fails the run at MergeIndex above maxRejectedFraction, naming counts, top reasons and where the rejects are (exit 2, no stack trace)', () => {
    expect(failed.code).toBe(2);
    expect(failed.stderr).not.toMatch(STACK_FRAME);
    expect(failed.stderr).toMatch(/megashard: TooManyRejects: 4 of 44 records rejected \(9\.1 %\), over maxRejectedFraction 0\.01 \(1\.0 %\); top reasons: /);
    expect(failed.stderr).toContain('1 × image "bad\\u0000name.jpg": contains the control character U+0000 at character 3');
    expect(failed.stderr).toContain('1 × image "a-missing-one.jpg": missing image file');
    expect(failed.stderr).toMatch(/rejects \(one JSON line each, with source, byte offset, record id and reason\) are in .*\/runs\/[0-9a-f]{24}\/rejects\//);
    expect(failed.stderr).toContain('raise maxRejectedFraction in dataset.json');
  });

  it(
    'raising the budget resumes the same run and prints the rejects by reason',
    async () => {
      await editConfig(dataset, (config) => (config.maxRejectedFraction = 0.2));
      const passed = await run(dataset, 'out-budget');
      expect(passed.code, passed.stderr).toBe(0);
      expect(passed.stderr).not.toMatch(STACK_FRAME);
      const runId = /runs\/([0-9a-f]{24})\/rejects\//.exec(failed.stderr)?.[1];
      expect(passed.stdout).toContain(`megashard run ${runId}: complete`);
      expect(passed.stdout).toMatch(/\(40 samples, 0 duplicate ids removed\)/);
      expect(passed.stdout).toMatch(/ {2}rejects {6}: 4, by reason \(files: .*\/rejects\/\)/);
      expect(passed.stdout).toMatch(
        / {7}1 × image "\.\.\/dataset\.json": climbs out of the image root \("images"\) with "\.\." \[data\/blip_laion_cc_sbu_558k\.json\]/,
      );
      expect(passed.stdout).toMatch(/1 × image "\/images\/x\.jpg": is absolute/);
    },
    LONG,
  );
});

describe('a run whose every record is rejected', () => {
  it(
    'fails at MergeIndex saying so, with the counts by reason, not later at PlanShards',
    async () => {
      const dataset = await synth('all-rejected');
      await rm(join(dataset, 'images'), { recursive: true });
      const result = await run(dataset, 'out-all-rejected');
      expect(result.code).toBe(2);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stderr).toMatch(
        /megashard: TooManyRejects: every record was rejected \(40 of 40\): no sample is left to plan; top reasons: 40 × image "[^"]+": missing image file \(and alike\) \[data\/blip_laion_cc_sbu_558k\.json\]; rejects .* are in .*\/rejects\//,
      );
      expect(result.stderr).not.toContain('PlanShards');
    },
    LONG,
  );
});
