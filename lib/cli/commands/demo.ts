import type { Command } from 'commander';
import { runDemo, type DemoResult } from '../../run/demo.js';
import { openStore } from '../../io/open-store.js';
import { intOption } from '../parse-int-option.js';

/** `megashard demo`: the embedded default job, no AWS, no network. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Synthesize a mixed image–text/interleaved length index and plan its per-rank shards locally.')
    .option('--out <dir>', 'output folder', 'megashard-demo')
    .option('--samples <N>', 'samples in the synthetic index', intOption('--samples'), 50_000)
    .action(async (options: { out: string; samples: number }) => {
      const store = openStore(options.out);
      const result = await runDemo(store, options.samples);
      const lines = [
        `megashard demo: ${result.plan.sampleCount} samples, strategy ${result.plan.strategyId}`,
        `  length index : ${store.location}/${result.indexKey}`,
        `  plan         : ${store.location}/plan/manifest.json (run ${result.plan.runFingerprint.slice(0, 12)})`,
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
