import type { Command } from 'commander';
import { openStore } from '../../io/open-store.js';
import { TUNING_DEFAULTS } from '../../core/dataset/tuning.js';
import { writeRunShards } from '../../run/shards/write-run-shards.js';
import { intOption } from '../parse-int-option.js';

/** `megashard shards <run>`: write every planned epoch's per-rank shard files and manifests. */
export function registerShardsCommand(program: Command): void {
  program
    .command('shards')
    .description(
      "Write the shards of every planned epoch of a run (tokenize.json, index/lengths.arrow, plan/) by the pipeline's " +
        'two-phase shuffle (each tokens file routed once, then each section of ranks assembled): per rank an Arrow ' +
        'file whose record batch k is the micro-batch of step k, with tokens (rank-RRRRR.arrow) and index-only ' +
        '(rank-RRRRR.index.arrow; the only variant when the index has no tokens), then shards/epoch-NNNN/manifest.json ' +
        '(bytes + sha256 of every file) and shards/manifest.json last.',
    )
    .argument('<run>', 'run folder or s3://bucket/prefix holding the plan in plan/')
    .option(
      '--assemble-tokens-per-call <N>',
      'tokens one Assemble step holds (memory ≈ 8 bytes per token): an epoch is cut into sections of at most N tokens',
      intOption('--assemble-tokens-per-call'),
      TUNING_DEFAULTS.assembleTokensPerCall,
    )
    .option('--assemble-ranks-per-call <N>', 'most ranks per section', intOption('--assemble-ranks-per-call'), TUNING_DEFAULTS.assembleRanksPerCall)
    .addHelpText(
      'after',
      '\nExample:\n  megashard tokenize data --out run\n  megashard plan --index run/index/lengths.arrow --spec spec.json --out run/plan\n  megashard shards run\n',
    )
    .action(async (location: string, options: { assembleTokensPerCall: number; assembleRanksPerCall: number }) => {
      const started = Date.now();
      const run = openStore(location);
      const manifest = await writeRunShards(run, {
        budget: { tokensPerCall: options.assembleTokensPerCall, ranksPerCall: options.assembleRanksPerCall },
        onEpoch: (epoch) => {
          const bytes = epoch.files.reduce((sum, file) => sum + file.bytes, 0);
          process.stderr.write(`epoch ${epoch.epoch}: ${epoch.files.length} shard files, ${epoch.stepsPerRank} steps per rank, ${bytes} bytes\n`);
        },
      });
      process.stdout.write(
        `${JSON.stringify({ run: run.location, planFingerprint: manifest.planFingerprint, epochs: manifest.epochs.length, worldSize: manifest.worldSize, seconds: (Date.now() - started) / 1000 })}\n`,
      );
    });
}
