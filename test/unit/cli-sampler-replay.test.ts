import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.js';

const goldenDir = new URL('../../../shared/golden/samplers/', import.meta.url);
const goldenPath = (name: string): string => fileURLToPath(new URL(name, goldenDir));

/** Run the CLI in-process, capturing what it writes to stdout and stderr. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(['node', 'megashard', ...args]);
  return { code, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('megashard sampler-replay', () => {
  const names = readdirSync(fileURLToPath(goldenDir))
    .filter((name) => name.endsWith('.json'))
    .sort();
  // One XTuner and one LLaVA file keep the in-process runs short; the golden suite covers them all.
  const picked = [names.find((n) => n.startsWith('xtuner')), names.find((n) => n.startsWith('llava'))].filter((n): n is string => n !== undefined);

  it.each(picked)('prints the sampler output of %s', async (name) => {
    const golden = JSON.parse(readFileSync(goldenPath(name), 'utf8')) as Record<string, unknown>;
    const { code, stdout, stderr } = await runCli(['sampler-replay', goldenPath(name)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const expected = 'ranks' in golden ? { ranks: golden.ranks } : { order: golden.order };
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('--help describes the command', async () => {
    const { stdout } = await runCli(['sampler-replay', '--help']);
    expect(stdout).toContain('sampler-replay');
    expect(stdout).toContain('xtuner.LengthGroupedSampler');
    expect(stdout).toContain('llava.LengthGroupedSampler');
  });

  it('a missing file exits 2 with an InvalidInput error naming it', async () => {
    const { code, stderr } = await runCli(['sampler-replay', '/nonexistent/case.json']);
    expect(code).toBe(2);
    expect(stderr).toContain('InvalidInput: /nonexistent/case.json');
  });
});

describe('megashard sampler-replay on XTuner V1 packing files (../shared/golden/packing/)', () => {
  const packingDir = new URL('../../../shared/golden/packing/', import.meta.url);
  const packingPath = (name: string): string => fileURLToPath(new URL(name, packingDir));
  // A soft, the hard and a sampler file: each output shape once (the golden suite replays every file).
  it.each(['soft-c-visual.json', 'hard-g-default.json', 'sampler-e5-resume-gbs16-seed42-epoch2-step48.json'])('prints the output of %s', async (name) => {
    const golden = JSON.parse(readFileSync(packingPath(name), 'utf8')) as Record<string, unknown>;
    const { code, stdout, stderr } = await runCli(['sampler-replay', packingPath(name)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const expected =
      golden.kind === 'sampler'
        ? { ranks: golden.ranks, global_order: golden.global_order }
        : 'start_offset' in golden
          ? { packs: golden.packs, pack_longest: golden.pack_longest, start_offset: golden.start_offset, end_offset: golden.end_offset }
          : { packs: golden.packs, pack_longest: golden.pack_longest };
    expect(stdout).toBe(`${JSON.stringify(expected)}\n`);
  });

  it('refuses the argsort file, naming its kind', async () => {
    const { code, stderr } = await runCli(['sampler-replay', packingPath('numpy-argsort.json')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/kind/);
  });
});
