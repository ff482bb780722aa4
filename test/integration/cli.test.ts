/**
 * The megashard CLI in-process: the happy paths write what they print, and every bad input exits
 * 2 (or at least non-zero) with a message that names the field and says what to change.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planManifestSchema } from '../../lib/core/plan/manifest.js';
import { listStrategies } from '../../lib/core/strategies/registry.js';
import { DEMO_SPEC } from '../../lib/synth/demo.js';
import { digestDemoFolder, type DemoDigests } from '../helpers/demo-digests.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
/** The demo's run folder (`<out>/runs/<run id>`), made once (its index feeds the `plan` tests). */
let demoDir: string;
let demoRun: Awaited<ReturnType<typeof runCli>>;
let indexPath: string;

beforeAll(async () => {
  tmp = await makeTempDir('cli');
  demoRun = await runCli(['demo', '--out', join(tmp, 'demo'), '--samples', '600']);
  demoDir = /^  outputs +: (.+)$/m.exec(demoRun.stdout)?.[1] ?? join(tmp, 'demo', 'missing');
  indexPath = join(demoDir, 'index', 'lengths.arrow');
});

afterAll(() => removeTempDir(tmp));

let specCount = 0;
/** Write `content` (JSON-encoded unless already a string) to a fresh spec file; returns its path. */
async function specFile(content: unknown): Promise<string> {
  const path = join(tmp, `spec-${specCount++}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const VALID_SPEC = { strategy: 'balanced', seed: 1, epochs: 2, worldSize: 4, perDeviceBatchSize: 2 };

describe('megashard demo', () => {
  it('exits 0 after running the pipeline on its synthetic dataset, printing where the index and the plan are', async () => {
    const { code, stdout, stderr } = demoRun;
    expect(stderr).not.toContain('megashard:');
    expect(code).toBe(0);
    expect(demoDir).toMatch(new RegExp(`^${join(tmp, 'demo', 'runs')}/[0-9a-f]{24}$`));
    const manifestPath = join(demoDir, 'plan', 'manifest.json');
    expect(stdout).toContain(`  dataset      : ${join(tmp, 'demo', 'dataset')}`);
    expect(stdout).toContain(`length index : ${indexPath}`);
    expect(stdout).toContain(`plan         : ${manifestPath}`);
    // Shards and the audit are states of the run: where they are, and the audit's figures per epoch.
    expect(stdout).toContain(
      `shards       : ${join(demoDir, 'shards', 'manifest.json')} (${DEMO_SPEC.epochs} epochs, ${DEMO_SPEC.epochs * DEMO_SPEC.worldSize * 2} files)`,
    );
    expect(stdout).toMatch(new RegExp(`^  audit        : passed, \\d+ checks \\(\\d+ warnings\\): ${join(demoDir, 'audit', 'report.html')}$`, 'm'));
    expect(stdout).toMatch(
      /^  epoch 0 +: 8 ranks × \d+ steps, coverage 100\.0%, token imbalance [\d.]+% \(random order [\d.]+%\), padded slots wasted [\d.]+% \(random order [\d.]+%\)$/m,
    );
    // Documents are split at 4,096 tokens, so there are at least as many samples as records.
    const samples = Number(/^megashard demo: (\d+) samples from 480 conversations \+ 120 documents, strategy balanced@1$/m.exec(stdout)?.[1]);
    expect(samples).toBeGreaterThanOrEqual(600);
    const manifest = planManifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
    expect(stdout).toContain(`run ${manifest.runFingerprint.slice(0, 12)})`);
    expect(manifest).toMatchObject({ sampleCount: samples, strategyId: 'balanced@1' });
    expect(stdout).toMatch(/^  per-step token imbalance across ranks: [\d.]+% \(XTuner's sampler on this index: [\d.]+%\)$/m);
    expect(manifest.epochs).toHaveLength(DEMO_SPEC.epochs);
    for (const epoch of manifest.epochs) expect(stdout).toMatch(new RegExp(`^  epoch ${epoch.epoch} +: ${DEMO_SPEC.worldSize} ranks × \\d+ steps`, 'm'));
    const files = await listFilesUnder(demoDir);
    expect(files).toContain('index/lengths.arrow');
    expect(files.filter((f) => /^plan\/epoch-\d{4}\/rank-\d{5}\.arrow$/.test(f))).toHaveLength(DEMO_SPEC.epochs * DEMO_SPEC.worldSize);
  });

  it('writes byte for byte what it wrote before the house was reorganised (every file, images included)', async () => {
    const pinned = JSON.parse(await readFile(new URL('../fixtures/demo-600-digests.json', import.meta.url), 'utf8')) as DemoDigests;
    const written = await digestDemoFolder(join(tmp, 'demo'), pinned.note);
    expect(written.runId).toBe(pinned.runId);
    expect(written.images).toBe(pinned.images);
    expect(written.files).toEqual(pinned.files);
  });
});

describe('megashard plan', () => {
  it('exits 0, writes manifest.json and prints the run as one JSON line', async () => {
    const out = join(tmp, 'plan-ok');
    const { code, stdout, stderr } = await runCli(['plan', '--index', indexPath, '--spec', await specFile(VALID_SPEC), '--out', out]);
    expect(code).toBe(0);
    const manifest = planManifestSchema.parse(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    expect(JSON.parse(stdout)).toEqual({ out, runFingerprint: manifest.runFingerprint, strategy: 'balanced@1', epochs: 2 });
    expect(stderr).toMatch(/^epoch 0: 4 rank files, \d+ steps per rank/m);
    expect(stderr).toMatch(/^epoch 1: 4 rank files/m);
    expect(await listFilesUnder(out)).toHaveLength(1 + 2 * (1 + 4));
  });

  it('replans the demo byte for byte from its index and spec', async () => {
    const out = join(tmp, 'plan-demo');
    const { code } = await runCli(['plan', '--index', indexPath, '--spec', await specFile(DEMO_SPEC), '--out', out]);
    expect(code).toBe(0);
    const files = await listFilesUnder(out);
    expect(files.map((f) => `plan/${f}`)).toEqual((await listFilesUnder(demoDir)).filter((f) => f.startsWith('plan/')));
    for (const file of files) {
      expect(Buffer.compare(await readFile(join(out, file)), await readFile(join(demoDir, 'plan', file))), file).toBe(0);
    }
  });

  const knownIds = listStrategies().map((s) => s.id);
  const SPEC_ERRORS: ReadonlyArray<readonly [string, unknown, ReadonlyArray<string | RegExp>]> = [
    ['worldSize 0', { ...VALID_SPEC, worldSize: 0 }, ['spec.worldSize', /must be ≥ 1/]],
    ['an unknown strategy', { ...VALID_SPEC, strategy: 'round-robin' }, ['spec.strategy', '"round-robin" is unknown', ...knownIds]],
    ['an option of another strategy', { ...VALID_SPEC, roundUp: true }, ['roundUp']],
    ['seed "-1"', { ...VALID_SPEC, seed: '-1' }, ['spec.seed', '"-1"', 'use an integer in [0, 2^64)']],
    ['seed 2^64', { ...VALID_SPEC, seed: '18446744073709551616' }, ['spec.seed', '18446744073709551616', 'outside [0, 2^64)']],
    ['a negative numeric seed', { ...VALID_SPEC, seed: -1 }, ['spec.seed', 'outside [0, 2^64)']],
    ['megaBatchMult 0', { ...VALID_SPEC, megaBatchMult: 0 }, ['spec.megaBatchMult', /must be ≥ 1/]],
    ['perDeviceBatchSize 1.5', { ...VALID_SPEC, perDeviceBatchSize: 1.5 }, ['spec.perDeviceBatchSize', 'must be an integer ≥ 1']],
    ['epochs 0', { ...VALID_SPEC, epochs: 0 }, ['spec.epochs', /must be ≥ 1/]],
    ['worldSize missing', { seed: 1, perDeviceBatchSize: 2 }, ['spec.worldSize', 'must be an integer ≥ 1']],
    ['a spec that is not an object', [1, 2], ['spec: ', 'expected object']],
  ];

  it.each(SPEC_ERRORS)('a spec with %s exits 2 naming the field, and writes nothing', async (_what, spec, fragments) => {
    const out = join(tmp, `bad-${specCount}`);
    const { code, stdout, stderr } = await runCli(['plan', '--index', indexPath, '--spec', await specFile(spec), '--out', out]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^megashard: InvalidInput: /);
    for (const fragment of fragments) {
      if (typeof fragment === 'string') expect(stderr).toContain(fragment);
      else expect(stderr).toMatch(fragment);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a spec file that is not JSON exits 2 naming the file and the flag', async () => {
    const path = await specFile('{"strategy": "balanced",');
    const { code, stderr } = await runCli(['plan', '--index', indexPath, '--spec', path, '--out', join(tmp, 'not-json')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`InvalidInput: --spec: "${path}" is not valid JSON`);
  });

  it('a spec file that does not exist exits 2 naming it', async () => {
    const path = join(tmp, 'no-such-spec.json');
    const { code, stderr } = await runCli(['plan', '--index', indexPath, '--spec', path, '--out', join(tmp, 'no-spec')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--spec: cannot read "${path}"`);
  });

  it('a missing index file exits non-zero naming its path, and writes nothing', async () => {
    const missing = join(tmp, 'nowhere', 'lengths.arrow');
    const out = join(tmp, 'no-index');
    const { code, stdout, stderr } = await runCli(['plan', '--index', missing, '--spec', await specFile(VALID_SPEC), '--out', out]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(missing);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing required option is a commander error (non-zero) naming it', async () => {
    const { code, stderr } = await runCli(['plan', '--index', indexPath, '--out', join(tmp, 'no-spec-flag')]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("required option '--spec <spec.json>' not specified");
  });
});

describe('megashard bench plan', () => {
  it('prints one JSON line with the figures', async () => {
    const { code, stdout } = await runCli(['bench', 'plan', '--samples', '20000', '--world-size', '8', '--per-device-batch-size', '2']);
    expect(code).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ samples: 20000, strategy: 'balanced@1', worldSize: 8, perDeviceBatchSize: 2 });
    expect(typeof result.seconds).toBe('number');
    expect(result.seconds as number).toBeGreaterThanOrEqual(0);
    expect(typeof result.peakRssMb).toBe('number');
    expect(result.peakRssMb as number).toBeGreaterThan(0);
    // 20000 samples on 8 ranks × 2 per step: at least 1250 steps on each rank.
    expect(result.stepsPerRank as number).toBeGreaterThanOrEqual(1250);
  });

  it.each([['0'], ['-5'], ['1.5'], ['many']])('--samples %s is a commander argument error (non-zero exit)', async (samples) => {
    const { code, stdout, stderr } = await runCli(['bench', 'plan', '--samples', samples]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('--samples must be an integer ≥ 1');
  });

  it('bench plan --packing packs the corpus and compares the step layouts on the same packs', async () => {
    const { code, stdout } = await runCli(['bench', 'plan', '--samples', '20000', '--world-size', '8', '--packing', '4096', '--corpus', 'mmc4']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, any>;
    expect(result).toMatchObject({ samples: 20000, corpus: 'mmc4', strategy: 'balanced-pack@1', worldSize: 8, maxTokens: 4096, rejected: 0 });
    expect(result.efficiency).toBeGreaterThan(0.99);
    expect(Object.keys(result.imbalance)).toEqual(['plan', 'xtunerV1PackLengthGrouped']);
    expect(result.imbalance.plan.max).toBeLessThanOrEqual(result.imbalance.xtunerV1PackLengthGrouped.max);
  });

  it('bench quality --packing adds one packed row per packing strategy and budget', async () => {
    const { code, stdout } = await runCli(['bench', 'quality', '--samples', '5000', '--world-size', '4', '--packing', '2048,4096']);
    expect(code).toBe(0);
    const packed = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((row) => row.packed === true);
    expect(packed.map((row) => [row.strategy, row.maxTokens])).toEqual([
      ['balanced-pack@1', 2048],
      ['xtuner-v1-soft-pack@1', 2048],
      ['balanced-pack@1', 4096],
      ['xtuner-v1-soft-pack@1', 4096],
    ]);
    for (const row of packed) expect(row).toHaveProperty('fillWaste');
  });

  it('an unknown --strategy exits 2 listing the known ones', async () => {
    const { code, stderr } = await runCli(['bench', 'plan', '--samples', '100', '--strategy', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toContain('strategy "nope" is unknown');
    for (const id of listStrategies().map((s) => s.id)) expect(stderr).toContain(id);
  });
});

describe('--help', () => {
  const HELP: ReadonlyArray<readonly [string[], string[]]> = [
    [[], ['demo', 'plan', 'sampler-replay', 'bench']],
    [['demo'], ['--out <dir>', '--samples <N>', '--workers <N>']],
    [['run'], ['<dataset>', '--out <dir-or-s3-url>', '--workers <N>', '--json']],
    [
      ['plan'],
      ['--index <lengths.arrow>', '--spec <spec.json>', '--out <dir>', ...listStrategies().map((s) => s.id), 'balanced-pack@1', 'xtuner-v1-soft-pack@1'],
    ],
    [['bench'], ['plan']],
    [
      ['bench', 'plan'],
      ['--samples <N>', '--world-size <W>', '--per-device-batch-size <B>', '--strategy <ID>', '--seed <S>', '--packing <maxTokens>', '--corpus <shape>'],
    ],
    [['sampler-replay'], ['<file.json>']],
  ];

  it.each(HELP)('megashard %j --help exits 0 and lists the options', async (command, expected) => {
    const { code, stdout } = await runCli([...command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: megashard${command.map((c) => ` ${c}`).join('')}`);
    for (const text of expected) expect(stdout).toContain(text);
  });
});
