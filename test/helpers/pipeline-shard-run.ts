/**
 * A run built the way users build one — synth → tokenize → plan → shards, through the CLI — so
 * tests of what trainers read (pull, openShard, the training walkthrough) run on the files the
 * pipeline really writes: real chat templates, -200 image sentinels, labels and image lists.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shardEpochManifestSchema, shardsManifestSchema, type ShardEpochManifest, type ShardsManifest } from '../../lib/core/shards/shard-manifest.js';
import { joinKey, type ObjectStore } from '../../lib/io/object-store.js';
import { runCli } from './run-cli.js';

/** The shard spec of the run (what `megashard plan --spec` reads). */
export interface PipelineShardRunOptions {
  readonly samples: number;
  readonly seed?: number;
  readonly spec: {
    readonly epochs: number;
    readonly worldSize: number;
    readonly perDeviceBatchSize?: number;
    readonly gradientAccumulation?: number;
    /** A packing block (docs/strategies.md): the plan is packed and the shards are format 2. */
    readonly packing?: Readonly<Record<string, unknown>>;
  };
}

/** Paths and manifests of a run written under `folder/run`. */
export interface PipelineShardRun {
  readonly run: string;
  readonly root: ShardsManifest;
  readonly epochs: ShardEpochManifest[];
}

/** Build a LLaVA-SFT-shaped run with images under `folder` (dataset in `folder/data`, run in `folder/run`). */
export async function writePipelineShardRun(folder: string, options: PipelineShardRunOptions): Promise<PipelineShardRun> {
  const data = join(folder, 'data');
  const run = join(folder, 'run');
  await cli(['synth', 'llava-sft', '--samples', String(options.samples), '--seed', String(options.seed ?? 5), '--out', data, '--images']);
  await cli(['tokenize', data, '--out', run, '--workers', '1']);
  // A packed spec names its packer in its packing block, not a strategy.
  const strategy = options.spec.packing ? {} : { strategy: 'balanced' };
  await writeFile(join(folder, 'spec.json'), JSON.stringify({ ...strategy, seed: 11, ...options.spec }));
  await cli(['plan', '--index', join(run, 'index/lengths.arrow'), '--spec', join(folder, 'spec.json'), '--out', join(run, 'plan')]);
  await cli(['shards', run]);
  const json = async (key: string) => JSON.parse(await readFile(join(run, 'shards', key), 'utf8')) as unknown;
  const root = shardsManifestSchema.parse(await json('manifest.json'));
  const epochs = await Promise.all(root.epochs.map(async ({ key }) => shardEpochManifestSchema.parse(await json(key))));
  return { run, root, epochs };
}

/** Copy every object under `prefix` of one store into another (a folder's run into S3 or memory). */
export async function copyObjects(from: ObjectStore, to: ObjectStore, prefix: string): Promise<void> {
  for (const key of await from.list(prefix)) await to.put(key, await from.get(key));
}

async function cli(args: readonly string[]): Promise<void> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`megashard ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}
