import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { runDemo, type DemoResult } from '../../run/demo.js';
import { intOption } from '../parse-int-option.js';
import { createRunProgress } from '../run-progress.js';
import { summaryLines } from './run.js';

/** `megashard demo`: the embedded default job, no AWS, no network. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Synthesize a small LLaVA-style + interleaved dataset and run the full pipeline on it locally (the state machine ' +
        'the CDK stack deploys, a real LLaMA-3 tokenizer, every core); print where the outputs are and how good the plan is.',
    )
    .option('--out <dir>', 'output folder (dataset/ and runs/<run id>/ inside)', 'megashard-demo')
    .option('--samples <N>', 'records to synthesize (80 % conversations, 20 % documents)', intOption('--samples'), 2_000)
    .option('--workers <N>', 'worker threads for tokenizing (default: every core)', intOption('--workers'), availableParallelism())
    .action(async (options: { out: string; samples: number; workers: number }) => {
      const progress = createRunProgress(process.stderr);
      let result: DemoResult;
      try {
        result = await runDemo({ outDir: resolve(options.out), samples: options.samples, workers: options.workers, onEvent: progress.onEvent });
      } finally {
        progress.finish();
      }
      const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      const lines = [
        `megashard demo: ${result.plan.sampleCount} samples from ${result.conversations} conversations + ${result.documents} documents, strategy ${result.plan.strategyId}`,
        `  dataset      : ${result.datasetDir}`,
        ...summaryLines(result.run, peakRssMb).slice(1),
        ...result.epochs.map(
          (e) =>
            `  epoch ${e.epoch}      : ${e.files.length} ranks × ${e.counts.stepsPerRank} steps, ` +
            `${e.counts.distinctSamples} samples once each, ${e.counts.paddingEntries} padding repeats, ${e.counts.droppedSamples} dropped`,
        ),
        ...qualityLines(result.quality),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Epoch 0 as read back from its files, next to XTuner's sampler on the same index. */
function qualityLines(quality: DemoResult['quality']): string[] {
  const { balanced, xtuner } = quality;
  return [
    `  epoch 0 check: coverage ${percent(balanced.coverage)}, ${balanced.stepsPerRankMin === balanced.stepsPerRankMax ? 'equal' : 'UNEQUAL'} steps on every rank, ` +
      `longest sample at step 0: ${balanced.longestAtStepZero ? 'yes' : 'no'}`,
    `  per-step token imbalance across ranks: ${percent(balanced.meanStepTokenImbalance)} (XTuner's sampler on this index: ${percent(xtuner.meanStepTokenImbalance)})`,
    `  padding waste: ${percent(balanced.paddingWaste)} (XTuner's sampler: ${percent(xtuner.paddingWaste)})`,
  ];
}
