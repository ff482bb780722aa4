/**
 * Faults in the shard stages of a local pipeline run: S3's 503 SlowDown on the routed objects'
 * ranged GETs is StorageTransient, retried by the state machine, and the run ends with the same
 * shards as an undisturbed one; the run's intermediates are gone once it completes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../lib/io/object-store.js';
import { translateS3Error } from '../../lib/io/s3-store.js';
import { runPipeline } from '../../lib/run/pipeline/run-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let tmp: string;
let dataset: string;

beforeAll(async () => {
  tmp = await makeTempDir('shard-faults');
  dataset = join(tmp, 'data');
  expect((await runCli(['synth', 'llava-sft', '--samples', '300', '--seed', '3', '--out', dataset, '--images'])).code).toBe(0);
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
  const shard = { ...config.shard, worldSize: 6, epochs: 2 };
  await writeFile(
    join(dataset, 'dataset.json'),
    JSON.stringify({ ...config, chunkBytes: 60_000, shard, tuning: { assembleRanksPerCall: 2, hashBytesPerCall: 100_000 } }),
  );
}, 120_000);
afterAll(() => removeTempDir(tmp));

/**
 * The first try of every `every`-th distinct ranged GET of a routed object fails as S3 answers a request
 * rate it will not take (a retry of the same read then succeeds, as throttling does).
 */
function slowDownOnRoutedReads(every: number, counter: { reads: number; failed: number }) {
  const seen = new Set<string>();
  return (store: ObjectStore): ObjectStore =>
    Object.assign(Object.create(store) as ObjectStore, {
      getRange: async (key: string, start: number, end: number) => {
        const read = `${key}@${start}`;
        const first = !seen.has(read);
        seen.add(read);
        if (key.includes('work/shards/routed/') && first && ++counter.reads % every === 0) {
          counter.failed++;
          const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
          throw translateS3Error(slowDown, `s3://bucket/${key}`);
        }
        return store.getRange(key, start, end);
      },
    });
}

describe('shard stages under S3 SlowDown', () => {
  it('retries SlowDown as StorageTransient and writes the same shards', async () => {
    const clean = await runPipeline({ datasetLocation: dataset, outLocation: join(tmp, 'clean'), workers: 1 });
    const counter = { reads: 0, failed: 0 };
    const faulty = await runPipeline({
      datasetLocation: dataset,
      outLocation: join(tmp, 'faulty'),
      workers: 1,
      decorateStore: slowDownOnRoutedReads(7, counter),
      retryIntervalOverrides: { Assemble: 0 },
    });
    expect(counter.failed).toBeGreaterThan(0);
    expect(faulty.runId).toBe(clean.runId);
    const shards = await listFilesUnder(join(clean.runLocation, 'shards'));
    expect(shards.length).toBeGreaterThan(2 * 6 * 2);
    for (const file of shards) {
      const [a, b] = await Promise.all([readFile(join(clean.runLocation, 'shards', file)), readFile(join(faulty.runLocation, 'shards', file))]);
      expect(a.equals(b), file).toBe(true);
    }
    expect(await listFilesUnder(join(faulty.runLocation, 'work'))).toEqual([]);
    expect(faulty.timing.byTask.Assemble!.calls).toBeGreaterThan(clean.timing.byTask.Assemble!.calls);
  }, 240_000);
});
