/**
 * `megashard bench scale`: the whole local pipeline at several corpus sizes over a store that
 * counts requests, every request attributed to the task call that made it, with budgets shrunk
 * (fixed across sizes) so each size has many calls per stage. One JSON line per size; a last line
 * with each stage's per-sample coefficients and their growth from the smallest size to the largest.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyRequestCounts, CountingObjectStore, type RequestCounts } from '../io/counting-store.js';
import type { ObjectStore } from '../io/object-store.js';
import { runPipeline } from '../run/pipeline/run-pipeline.js';
import { PIPELINE_TASK_NAMES } from '../run/pipeline/task-table.js';
import { synthDataset, type SynthKind } from '../synth/synth-dataset.js';
import { scaleRunFacts } from './scale-run-facts.js';

/** Options of `megashard bench scale`. */
export interface BenchScaleOptions {
  readonly samples: readonly number[];
  /** One world size per size (the last repeats when fewer are given). */
  readonly worldSizes: readonly number[];
  readonly kind: SynthKind;
  /** Where datasets are synthesized once (and reused) and runs are written. */
  readonly dir: string;
  readonly budgets: ScaleBudgets;
}

/** The budgets every size runs with: small, so a 20K-sample corpus already makes many calls per stage. */
export interface ScaleBudgets {
  readonly chunkBytes: number;
  readonly tuning: Record<string, number>;
}

/** The benchmark's default budgets (dataset.json's chunkBytes and tuning block). */
export const SCALE_BUDGETS: ScaleBudgets = {
  chunkBytes: 1 << 20,
  tuning: { assembleTokensPerCall: 1 << 20, assembleRanksPerCall: 16, hashBytesPerCall: 4 << 20, imagesPerListCall: 2_000 },
};

/** One stage's requests, summed over its calls, the most bytes one call read, and its calls' summed time. */
export interface StageCounts extends RequestCounts {
  calls: number;
  maxCallBytesRead: number;
  seconds: number;
}

/** One line of the benchmark. */
export interface ScaleLine {
  readonly samples: number;
  readonly worldSize: number;
  readonly corpusBytes: number;
  readonly tokenBytes: number;
  readonly imageReferences: number;
  /** HEAD requests for keys under the dataset's image root (the per-image checks a listing replaces). */
  readonly imageHeads: number;
  readonly stages: Record<string, StageCounts>;
  readonly seconds: number;
}

/** Run every size in turn, printing each line as it is measured. */
export async function benchScale(options: BenchScaleOptions, print: (line: unknown) => void): Promise<ScaleLine[]> {
  const lines: ScaleLine[] = [];
  for (const [i, samples] of options.samples.entries()) {
    const worldSize = options.worldSizes[Math.min(i, options.worldSizes.length - 1)]!;
    const line = await measureSize(options, samples, worldSize);
    print(line);
    lines.push(line);
  }
  return lines;
}

async function measureSize(options: BenchScaleOptions, samples: number, worldSize: number): Promise<ScaleLine> {
  const dataset = join(options.dir, `${options.kind}-${samples}`, 'dataset');
  const out = join(options.dir, `${options.kind}-${samples}`, 'out');
  if (!existsSync(join(dataset, 'dataset.json'))) await synthDataset({ kind: options.kind, samples, seed: 0, outDir: dataset, images: true });
  const config = JSON.parse(await readFile(join(dataset, 'dataset.json'), 'utf8')) as Record<string, unknown>;
  const shard = { strategy: 'balanced', seed: 0, epochs: 1, worldSize, perDeviceBatchSize: 4 };
  // The fixed image-token rule checked for existence: the case a listing answers (one LIST per 1,000 images, no HEAD each).
  const run = { ...config, chunkBytes: options.budgets.chunkBytes, imageCheck: 'exists', shard, tuning: options.budgets.tuning };
  await writeFile(join(dataset, 'dataset.json'), `${JSON.stringify(run, null, 2)}\n`);
  await rm(out, { recursive: true, force: true });
  const stages = new Map<string, StageCounts>();
  const calls = new AsyncLocalStorage<RequestCounts>();
  const outside = emptyRequestCounts();
  const images = { heads: 0, under: `${String(config.imageRoot ?? 'images').replace(/\/+$/, '')}/` };
  const started = performance.now();
  const result = await runPipeline({
    datasetLocation: dataset,
    outLocation: out,
    workers: 1,
    decorateStore: (store) =>
      store.location === dataset
        ? new ImageHeadCountingStore(store, () => calls.getStore() ?? outside, images)
        : new CountingObjectStore(store, () => calls.getStore() ?? outside),
    aroundTask: async (task, call) => {
      const counts = emptyRequestCounts();
      try {
        return await calls.run(counts, call);
      } finally {
        addCall(stages, task, counts);
      }
    },
  });
  const seconds = Math.round(performance.now() - started) / 1000;
  const facts = await scaleRunFacts(dataset, result.runLocation);
  const byTask = result.timing.byTask;
  const ordered = Object.fromEntries(
    PIPELINE_TASK_NAMES.filter((task) => stages.has(task)).map((task) => [task, { ...stages.get(task)!, seconds: Math.round(byTask[task]?.ms ?? 0) / 1000 }]),
  );
  return { samples, worldSize, ...facts, imageHeads: images.heads, stages: ordered, seconds };
}

/** The dataset's store, also counting the HEADs of image keys (exists, size) apart. */
class ImageHeadCountingStore extends CountingObjectStore {
  constructor(
    inner: ObjectStore,
    tally: () => RequestCounts,
    private readonly images: { heads: number; readonly under: string },
  ) {
    super(inner, tally);
  }

  override exists(key: string): Promise<boolean> {
    if (key.startsWith(this.images.under)) this.images.heads++;
    return super.exists(key);
  }

  override size(key: string): Promise<number> {
    if (key.startsWith(this.images.under)) this.images.heads++;
    return super.size(key);
  }
}

function addCall(stages: Map<string, StageCounts>, task: string, counts: RequestCounts): void {
  const stage = stages.get(task) ?? { ...emptyRequestCounts(), calls: 0, maxCallBytesRead: 0, seconds: 0 };
  for (const key of Object.keys(counts) as (keyof RequestCounts)[]) stage[key] += counts[key];
  stage.calls++;
  stage.maxCallBytesRead = Math.max(stage.maxCallBytesRead, counts.bytesRead);
  stages.set(task, stage);
}
