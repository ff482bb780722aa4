/**
 * Limits refused early (issue 10): a corpus whose estimated samples are above what the single-call
 * states (MergeIndex, PlanShards, the audit reduce) hold in a 10 GB Lambda is refused by
 * `megashard run` at its first state, and by Prepare called on its own, naming the estimate and the
 * ceiling, with nothing written. The corpus is a sparse file: 256 KiB of records, then gigabytes of
 * holes that no step may read (a refusal that read past the head would not finish in time).
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { sampleCeilings } from '../../lib/core/plan/sample-ceilings.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { prepareRun } from '../../lib/run/prepare/prepare-run.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const LONG = 120_000;
/** ≈ 100-byte records over 8 GB: ≈ 80M estimated, above every 1-epoch ceiling (≈ 45–50M). */
const SOURCE_BYTES = 8e9;
let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('sample-ceiling');
  dataset = join(tmp, 'big');
  const synth = await runCli(['synth', 'llava-pretrain', '--samples', '20', '--seed', '1', '--out', dataset]);
  expect(synth.code, synth.stderr).toBe(0);
  const record = (i: number) =>
    `{"id":"${String(i).padStart(7, '0')}","image":"a.jpg","conversations":[{"from":"human","value":"<image>"},{"from":"gpt","value":"ok"}]}\n`;
  const lines = Array.from({ length: 3000 }, (_, i) => record(i)).join('');
  await writeFile(join(dataset, 'big.jsonl'), lines);
  await truncate(join(dataset, 'big.jsonl'), SOURCE_BYTES);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dataset, 'dataset.json'), JSON.stringify({ ...config, sources: [{ path: 'big.jsonl' }] }));
}, LONG);
afterAll(() => removeTempDir(tmp));

/** The lowest ceiling for one epoch, and the state it belongs to: what the refusal names. */
const lowest = () => Object.entries(sampleCeilings(1)).sort((a, b) => a[1] - b[1])[0]!;
const refusal = () =>
  new RegExp(
    `holds about [\\d,]+ records .*${lowest()[0]} is one call .*handles at most ${lowest()[1].toLocaleString('en-US')} with 1 epoch\\(s\\) in a 10 GB Lambda`,
  );

describe('a corpus above the single-call ceiling', () => {
  it(
    '`megashard run` refuses it at its first state (exit 2), naming the estimate and the ceiling, with nothing written',
    async () => {
      const out = join(tmp, 'out');
      const { code, stderr } = await runCli(['run', dataset, '--out', out, '--workers', '1']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/megashard: InvalidInput: .*big\/dataset\.json: holds about/);
      expect(stderr).toMatch(refusal());
      const estimate = Number(/holds about ([\d,]+) records/.exec(stderr)![1]!.replaceAll(',', ''));
      expect(estimate).toBeGreaterThan(lowest()[1]);
      expect(estimate).toBeLessThan(SOURCE_BYTES / 90);
      expect(await listFilesUnder(out)).toEqual([]);
    },
    LONG,
  );

  it(
    'Prepare called on its own refuses it before hashing a byte or writing anything',
    async () => {
      const runs = join(tmp, 'runs');
      const error = await prepareRun(new FsObjectStore(dataset), (runId) => new FsObjectStore(join(runs, runId))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(refusal());
      expect(await listFilesUnder(runs)).toEqual([]);
    },
    LONG,
  );
});
