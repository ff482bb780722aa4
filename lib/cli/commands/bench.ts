import type { Command } from 'commander';
import { benchPlan } from '../../bench/bench-plan.js';
import { benchPackedPlan } from '../../bench/bench-packed-plan.js';
import type { PackingCorpusName } from '../../core/synth/packing-corpora.js';
import { benchAudit } from '../../bench/bench-audit.js';
import { benchPackedQuality, benchQuality } from '../../bench/bench-quality.js';
import { benchMixtureQuality } from '../../bench/bench-mixture.js';
import { benchTokenize } from '../../bench/bench-tokenize.js';
import { benchPull } from '../../bench/bench-pull.js';
import { benchScale, SCALE_BUDGETS } from '../../bench/bench-scale.js';
import { scaleProjection } from '../../bench/scale-projection.js';
import type { SynthKind } from '../../synth/synth-dataset.js';
import { DEFAULT_BYTES_PER_READ, DEFAULT_READS_IN_FLIGHT } from '../../io/resumable-download.js';
import { Option } from 'commander';
import { DEFAULT_STRATEGY_ID } from '../../core/strategies/registry.js';
import { intOption } from '../parse-int-option.js';

/** `megashard bench …`: the project's own benchmarks (figures in docs/benchmarks.md). */
export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('Run a benchmark and print one JSON line of figures.');
  bench
    .command('plan')
    .description(
      'Plan one epoch of a synthetic index of N samples (realistic mixed lengths) for all ranks; ' +
        'prints {"samples","strategy","seconds","peakRssMb",…}. seconds = planning only.',
    )
    .requiredOption('--samples <N>', 'number of samples (e.g. 10000000 or 10M)', intOption('--samples'))
    .option('--world-size <W>', 'data-parallel ranks', intOption('--world-size'), 1024)
    .option('--per-device-batch-size <B>', 'samples per rank per micro-step', intOption('--per-device-batch-size'), 4)
    .option('--strategy <ID>', 'strategy id', DEFAULT_STRATEGY_ID)
    .option('--seed <S>', 'seed of the synthetic index and the plan', intOption('--seed', 0), 0)
    .option('--mixture', "also plan the same number of entries drawn from a two-source mixture and report the draw's overhead", false)
    .option(
      '--packing <maxTokens>',
      'plan packs of at most maxTokens tokens (balanced-pack@1, or --packer) instead of fixed batches; prints efficiency and per-step ' +
        "cost imbalance, with XTuner V1's pack-level length grouping of the same packs for comparison",
      intOption('--packing'),
    )
    .option('--packer <ID>', 'packing strategy id with --packing', 'balanced-pack@1')
    .addOption(new Option('--corpus <shape>', 'synthetic corpus with --packing').choices(['mixed', '665k', 'mmc4']).default('mixed'))
    .action(
      (options: {
        samples: number;
        worldSize: number;
        perDeviceBatchSize: number;
        strategy: string;
        seed: number;
        mixture: boolean;
        packing?: number;
        packer: string;
        corpus: PackingCorpusName;
      }) => {
        const result =
          options.packing === undefined ? benchPlan(options) : benchPackedPlan({ ...options, maxTokens: options.packing, packing: options.packer });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );
  bench
    .command('quality')
    .description(
      'Plan epoch 0 of a synthetic mixed index with every strategy (each grouping by its own length ' +
        'definition) and print one JSON line per strategy: steps per rank, coverage, repeats, per-step ' +
        'token imbalance across ranks, padding waste and whether step 0 holds the longest sample, all on true token cost.',
    )
    .option('--samples <N>', 'number of samples', intOption('--samples'), 200_000)
    .option('--world-size <W>', 'data-parallel ranks', intOption('--world-size'), 64)
    .option('--per-device-batch-size <B>', 'samples per rank per micro-step', intOption('--per-device-batch-size'), 4)
    .option('--gradient-accumulation <GA>', 'micro-steps per optimizer step', intOption('--gradient-accumulation'), 1)
    .option('--seed <S>', 'seed of the synthetic index and the plans', intOption('--seed', 0), 0)
    .option(
      '--mixture',
      'also plan a two-source mixture (5 % curated ×3, 95 % web ×0.25) with every strategy: quality, entries per source, web coverage over 4 epochs',
      false,
    )
    .option(
      '--packing <budgets>',
      'also pack the same index with every packing strategy at each budget (comma-separated tokens, e.g. 4096,8192): fill waste, padding waste, cost imbalance',
      (value: string) => value.split(',').map((budget) => intOption('--packing')(budget)),
    )
    .action(
      (options: {
        samples: number;
        worldSize: number;
        perDeviceBatchSize: number;
        gradientAccumulation: number;
        seed: number;
        mixture: boolean;
        packing?: number[];
      }) => {
        for (const row of benchQuality(options)) process.stdout.write(`${JSON.stringify(row)}\n`);
        for (const row of benchPackedQuality(options)) process.stdout.write(`${JSON.stringify(row)}\n`);
        if (options.mixture) for (const row of benchMixtureQuality(options)) process.stdout.write(`${JSON.stringify(row)}\n`);
      },
    );
  bench
    .command('audit')
    .description(
      "Plan epoch 0 of a synthetic index with balanced, build every rank's shard columns in memory as the shard reader " +
        'returns them, and time the audit of the epoch (every check and measure; no file I/O); prints {"seconds","planSeconds",…}.',
    )
    .option('--samples <N>', 'number of samples (e.g. 10000000 or 10M)', intOption('--samples'), 10_000_000)
    .option('--world-size <W>', 'data-parallel ranks', intOption('--world-size'), 1024)
    .option('--per-device-batch-size <B>', 'samples per rank per micro-step', intOption('--per-device-batch-size'), 4)
    .option('--seed <S>', 'seed of the synthetic index and the plan', intOption('--seed', 0), 0)
    .action((options: { samples: number; worldSize: number; perDeviceBatchSize: number; seed: number }) => {
      process.stdout.write(`${JSON.stringify(benchAudit(options))}\n`);
    });
  bench
    .command('tokenize')
    .description(
      'Ingest a synthetic LLaVA corpus (parse, images, template, tokenize, Arrow write; one thread, LLaMA-2 tokenizer) and, ' +
        'interleaved in the same process, raw encodeBatch of the same turn texts; prints MB/s, tokens/s and the ratio.',
    )
    .addOption(new Option('--kind <kind>', 'corpus shape').choices(['llava-pretrain', 'llava-sft']).default('llava-pretrain'))
    .option('--samples <N>', 'records', intOption('--samples'), 20_000)
    .option('--seed <S>', 'seed of the synthetic corpus', intOption('--seed', 0), 0)
    .option('--repeats <R>', 'interleaved repetitions (medians reported)', intOption('--repeats'), 3)
    .action(async (options: { kind: 'llava-pretrain' | 'llava-sft'; samples: number; seed: number; repeats: number }) => {
      process.stdout.write(`${JSON.stringify(await benchTokenize(options))}\n`);
    });
  bench
    .command('pull')
    .description(
      "Start a local S3 server (s3rver, a devDependency), put one rank's real shard file of about --megabytes MiB, then " +
        'time `pull` (ranged reads, sha256 verified, written to a file) against one plain GetObject of the same bytes to a ' +
        'file, alternating in one process; prints medians and ratio = getObjectSeconds / pullSeconds.',
    )
    .option('--megabytes <MiB>', 'approximate shard size', intOption('--megabytes'), 256)
    .option('--repeats <R>', 'alternating repetitions (medians reported)', intOption('--repeats'), 5)
    .option('--bytes-per-read <B>', 'bytes per ranged read of the pull', intOption('--bytes-per-read'), DEFAULT_BYTES_PER_READ)
    .option('--reads-in-flight <N>', 'ranged reads the pull keeps in flight', intOption('--reads-in-flight'), DEFAULT_READS_IN_FLIGHT)
    .action(async (options: { megabytes: number; repeats: number; bytesPerRead: number; readsInFlight: number }) => {
      process.stdout.write(`${JSON.stringify(await benchPull(options))}\n`);
    });
  registerBenchScale(bench);
}

/** `bench scale`: the whole local pipeline at several sizes over a request-counting store. */
function registerBenchScale(bench: Command): void {
  bench
    .command('scale')
    .description(
      'Run the whole local pipeline (workers 1) on a synthetic corpus at each size, over a store counting requests by the ' +
        'task call making them, budgets shrunk so every size has many calls per stage; prints one JSON line per size ' +
        '{"samples","worldSize","corpusBytes","tokenBytes","imageReferences","stages":{…}} and a last line with per-sample coefficients.',
    )
    .option('--samples <list>', 'corpus sizes, comma-separated', intList('--samples'), [20_000, 80_000, 320_000])
    .option('--world-size <list>', 'world size of each size, comma-separated (the last repeats)', intList('--world-size'), [16, 64, 256])
    .addOption(new Option('--kind <kind>', 'corpus shape').choices(['llava-sft', 'llava-pretrain', 'interleaved']).default('llava-sft'))
    .option('--dir <folder>', 'where corpora are synthesized once (and reused) and runs written', '/tmp/megashard-bench-scale')
    .option('--chunk-bytes <B>', 'dataset.json chunkBytes of every size', intOption('--chunk-bytes'), SCALE_BUDGETS.chunkBytes)
    .option(
      '--assemble-tokens-per-call <N>',
      'tuning.assembleTokensPerCall',
      intOption('--assemble-tokens-per-call'),
      SCALE_BUDGETS.tuning.assembleTokensPerCall,
    )
    .option('--assemble-ranks-per-call <N>', 'tuning.assembleRanksPerCall', intOption('--assemble-ranks-per-call'), SCALE_BUDGETS.tuning.assembleRanksPerCall)
    .option('--hash-bytes-per-call <B>', 'tuning.hashBytesPerCall', intOption('--hash-bytes-per-call'), SCALE_BUDGETS.tuning.hashBytesPerCall)
    .option('--images-per-list-call <N>', 'tuning.imagesPerListCall', intOption('--images-per-list-call'), SCALE_BUDGETS.tuning.imagesPerListCall)
    .action(
      async (o: {
        samples: number[];
        worldSize: number[];
        kind: SynthKind;
        dir: string;
        chunkBytes: number;
        assembleTokensPerCall: number;
        assembleRanksPerCall: number;
        hashBytesPerCall: number;
        imagesPerListCall: number;
      }) => {
        const tuning = {
          assembleTokensPerCall: o.assembleTokensPerCall,
          assembleRanksPerCall: o.assembleRanksPerCall,
          hashBytesPerCall: o.hashBytesPerCall,
          imagesPerListCall: o.imagesPerListCall,
        };
        const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
        const lines = await benchScale(
          { samples: o.samples, worldSizes: o.worldSize, kind: o.kind, dir: o.dir, budgets: { chunkBytes: o.chunkBytes, tuning } },
          print,
        );
        print(scaleProjection(lines));
      },
    );
}

/** A comma-separated list of positive integers (`20000,80000` or `20K,80K`). */
function intList(flag: string): (value: string) => number[] {
  const one = intOption(flag);
  return (value) => value.split(',').map((part) => one(part.trim()));
}
