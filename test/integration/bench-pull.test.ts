/**
 * `megashard bench pull` runs end to end on a small shard (s3rver started and stopped by the
 * benchmark itself) and reports consistent figures. Timings are printed, never asserted.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('megashard bench pull', () => {
  it('pulls and GetObjects the same shard and prints one JSON line of figures', async () => {
    const run = await runCli(['bench', 'pull', '--megabytes', '2', '--repeats', '1', '--bytes-per-read', '262144']);
    expect(run.code).toBe(0);
    const figures = JSON.parse(run.stdout) as Record<string, number>;
    expect(Object.keys(figures).sort()).toEqual(
      [
        'bytes',
        'steps',
        'repeats',
        'bytesPerRead',
        'readsInFlight',
        'pullSeconds',
        'getObjectSeconds',
        'pullMiBps',
        'getObjectMiBps',
        'ratio',
        'pullCpuSeconds',
        'getObjectCpuSeconds',
      ].sort(),
    );
    expect(figures.bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(figures).toMatchObject({ repeats: 1, bytesPerRead: 262144, readsInFlight: 3 });
    expect(figures.ratio).toBeCloseTo(figures.getObjectSeconds! / figures.pullSeconds!, 1);
  });
});
