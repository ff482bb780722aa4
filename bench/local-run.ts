/**
 * `npx tsx bench/local-run.ts [samples=665000] [dir=/tmp/megashard-bench]`: the end-to-end local run
 * of a LLaVA-1.5-SFT-shaped synthetic corpus (with a real JPEG per image reference), planned for
 * 1 epoch at W = 64, B = 4. Synthesizes `<dir>/dataset` once (minutes at 665K), deletes any earlier
 * run so the pipeline really runs, then runs it on every core and prints one JSON line: wall time,
 * time inside tasks, the state machine's own overhead (run time − time with a task running), the
 * interpreter's load time and the peak RSS of the process (worker threads included).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runPipeline } from '../lib/run/pipeline/run-pipeline.js';
import { synthDataset } from '../lib/synth/synth-dataset.js';

const samples = Number(process.argv[2] ?? 665_000);
const dir = process.argv[3] ?? '/tmp/megashard-bench';
const dataset = join(dir, 'dataset');
const out = join(dir, 'out');

if (!existsSync(join(dataset, 'dataset.json'))) {
  await synthDataset({ kind: 'llava-sft', samples, seed: 0, outDir: dataset, images: true });
}
// The benchmark's spec; 16 MiB chunks give the 2-core machine ~40 chunks (10 Map batches of 4) to balance.
const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8'));
const shard = { strategy: 'balanced', seed: 0, epochs: 1, worldSize: 64, perDeviceBatchSize: 4 };
await writeFile(join(dataset, 'dataset.json'), `${JSON.stringify({ ...config, chunkBytes: 16 * 1024 * 1024, shard }, null, 2)}\n`);
await rm(out, { recursive: true, force: true });

const started = performance.now();
const run = await runPipeline({ datasetLocation: dataset, outLocation: out, workers: availableParallelism() });
const wallMs = performance.now() - started;
const indexSamples = run.record.outputs.index?.samples;
const seconds = (ms: number) => Math.round(ms) / 1000;
process.stdout.write(
  `${JSON.stringify({
    samples: indexSamples,
    corpusMb: Math.round((await stat(join(dataset, config.sources[0].path))).size / 1e6),
    workers: availableParallelism(),
    wallSeconds: seconds(wallMs),
    runSeconds: seconds(run.timing.runMs),
    taskBusySeconds: seconds(run.timing.taskBusyMs),
    taskCalls: run.timing.taskCalls,
    taskSeconds: Object.fromEntries(Object.entries(run.timing.byTask).map(([task, { calls, ms }]) => [task, { calls, seconds: seconds(ms) }])),
    machineOverheadSeconds: seconds(run.timing.machineOverheadMs),
    machineOverheadPercent: Math.round((1000 * run.timing.machineOverheadMs) / run.timing.runMs) / 10,
    interpreterLoadSeconds: seconds(run.timing.interpreterLoadMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
