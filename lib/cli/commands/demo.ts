import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { runDemo, type DemoResult } from '../../synth/demo.js';
import { intOption } from '../parse-int-option.js';
import { createRunProgress } from '../run-progress.js';
import { summaryLines } from './run.js';
import { readRejectsByReason } from '../reject-summary.js';

/** `megashard demo`: the embedded default job, no AWS, no network. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Synthesize a small LLaVA-style + interleaved dataset and run the full pipeline on it locally (the state machine ' +
        'the CDK stack deploys, a real LLaMA-3 tokenizer, every core); print where the outputs are (index, plan, shards, audit report) and the audit summary.',
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
      const rejects = await readRejectsByReason(result.run.runLocation);
      const lines = [
        `megashard demo: ${result.plan.sampleCount} samples from ${result.conversations} conversations + ${result.documents} documents, strategy ${result.plan.strategyId}`,
        `  dataset      : ${result.datasetDir}`,
        ...summaryLines(result.run, peakRssMb, rejects).slice(1),
        ...auditLines(result),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The pipeline's audit of the written shards, an epoch a line, and XTuner's sampler on the same index for context. */
function auditLines(result: DemoResult): string[] {
  const { audit, quality } = result;
  return [
    ...audit.epochs.map(
      (e) =>
        `  epoch ${e.epoch}      : ${audit.run.worldSize} ranks × ${e.stepsPerRank.max} steps, coverage ${percent(e.coverage)}, ` +
        `token imbalance ${percent(e.quality.written.meanStepTokenImbalance)} (random order ${percent(e.quality.randomOrder.meanStepTokenImbalance)}), ` +
        `padded slots wasted ${percent(e.quality.written.wastedSlotFraction)} (random order ${percent(e.quality.randomOrder.wastedSlotFraction)})`,
    ),
    `  per-step token imbalance across ranks: ${percent(quality.balanced.meanStepTokenImbalance)} (XTuner's sampler on this index: ${percent(quality.xtuner.meanStepTokenImbalance)})`,
  ];
}
