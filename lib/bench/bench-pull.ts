/**
 * `megashard bench pull`: pulling a rank's shard from a local S3 server (s3rver) — ranged reads,
 * sha256 verified against the manifest, written to a file — against one plain GetObject of the
 * same bytes streamed to a file, alternating in one process so machine noise hits both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectLocalS3 } from '../io/local-s3-client.js';
import { startLocalS3Server } from '../io/local-s3-server.js';
import { DEFAULT_BYTES_PER_READ, DEFAULT_READS_IN_FLIGHT } from '../io/resumable-download.js';
import { pullShard } from '../shard/pull-shard.js';
import { writeSyntheticShardRun } from './synthetic-shard-run.js';

/** Options of `megashard bench pull`. */
export interface BenchPullOptions {
  /** Approximate size of the shard file, in MiB. */
  readonly megabytes: number;
  readonly repeats: number;
  readonly bytesPerRead?: number;
  readonly readsInFlight?: number;
}

/** Medians over the repeats; ratio = getObjectSeconds / pullSeconds (1 = as fast as GetObject). */
export interface BenchPullResult {
  readonly bytes: number;
  readonly steps: number;
  readonly repeats: number;
  readonly bytesPerRead: number;
  readonly readsInFlight: number;
  readonly pullSeconds: number;
  readonly getObjectSeconds: number;
  readonly pullMiBps: number;
  readonly getObjectMiBps: number;
  readonly ratio: number;
  /** This process's CPU seconds (the server's are not counted): what each costs the trainer's host. */
  readonly pullCpuSeconds: number;
  readonly getObjectCpuSeconds: number;
}

const BUCKET = 'megashard-bench';

/** Run the benchmark (see the module comment); the server and every file are removed afterwards. */
export async function benchPull(options: BenchPullOptions): Promise<BenchPullResult> {
  const { bytesPerRead = DEFAULT_BYTES_PER_READ, readsInFlight = DEFAULT_READS_IN_FLIGHT } = options;
  const [server, folder] = await Promise.all([startLocalS3Server([BUCKET]), mkdtemp(join(tmpdir(), 'megashard-bench-pull-'))]);
  const client = connectLocalS3(server);
  try {
    const run = client.store(`s3://${BUCKET}/run`);
    const shard = await writeSyntheticShardRun(run, { targetBytes: options.megabytes * 1024 * 1024 });
    const pulled = join(folder, 'pulled.arrow');
    const plain = join(folder, 'plain.arrow');
    const pulls: number[] = [];
    const gets: number[] = [];
    const pullCpu: number[] = [];
    const getCpu: number[] = [];
    const timePull = async (cpu = pullCpu) => {
      await rm(pulled, { force: true });
      return timed(() => pullShard({ run, epoch: 0, rank: 0, out: pulled, bytesPerRead, readsInFlight }), cpu);
    };
    const timeGetObject = () => timed(() => client.getObjectToFile(BUCKET, `run/${shard.storeKey}`, plain), getCpu);
    await timePull([]); // warm-up: connections, page cache, JIT; not counted
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      // Alternate which goes first, so neither always runs on a cooler cache or a quieter core.
      if (repeat % 2 === 0) {
        pulls.push(await timePull());
        gets.push(await timeGetObject());
      } else {
        gets.push(await timeGetObject());
        pulls.push(await timePull());
      }
    }
    const pullSeconds = median(pulls);
    const getObjectSeconds = median(gets);
    const mib = shard.bytes / (1024 * 1024);
    return {
      bytes: shard.bytes,
      steps: shard.steps,
      repeats: options.repeats,
      bytesPerRead,
      readsInFlight,
      pullSeconds: round(pullSeconds),
      getObjectSeconds: round(getObjectSeconds),
      pullMiBps: round(mib / pullSeconds),
      getObjectMiBps: round(mib / getObjectSeconds),
      ratio: round(getObjectSeconds / pullSeconds),
      pullCpuSeconds: round(median(pullCpu)),
      getObjectCpuSeconds: round(median(getCpu)),
    };
  } finally {
    client.destroy();
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

/** Wall seconds of `run`, and this process's CPU seconds (user + system) in `cpu`. */
async function timed(run: () => Promise<unknown>, cpu: number[]): Promise<number> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpuBefore);
  cpu.push((used.user + used.system) / 1e6);
  return (performance.now() - started) / 1000;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (x: number) => Math.round(x * 1000) / 1000;
