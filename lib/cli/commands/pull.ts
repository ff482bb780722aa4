import { Option, type Command } from 'commander';
import type { ShardVariant } from '../../core/shards/shard-layout.js';
import { openStore } from '../../io/open-store.js';
import { pullShard } from '../../shard/pull-shard.js';
import { intOption } from '../parse-int-option.js';

const MIB = 1024 * 1024;

/** `megashard pull <run-url> --epoch E --rank R [--from-step K] [--variant tokens|index] --out <file>`. */
export function registerPullCommand(program: Command): void {
  program
    .command('pull')
    .description(
      "Download one rank's shard of one epoch to a local file in ranged reads, sha256-verified against the epoch " +
        'manifest, resumable (an interrupted download continues from <file>.part; the file takes its name only once ' +
        'verified). Prints one JSON line: out, bytes, sha256, steps, and what was fetched.',
    )
    .argument('<run-url>', 'the run: a folder or s3://bucket/prefix holding shards/')
    .requiredOption('--epoch <E>', 'epoch', intOption('--epoch', 0))
    .requiredOption('--rank <R>', 'data-parallel rank, 0 ≤ R < world size', intOption('--rank', 0))
    .requiredOption('--out <file>', 'local file to write')
    .option(
      '--from-step <K>',
      'the step the trainer resumes at: the whole file is still pulled (only the whole file can be checked against the ' +
        "manifest's sha256); K is checked and the record batch to start at is printed (fromRecordBatch)",
      intOption('--from-step', 0),
    )
    .addOption(
      new Option('--variant <variant>', 'tokens: with input_ids/labels/images; index: ids and lengths only').choices(['tokens', 'index']).default('tokens'),
    )
    .option('--quiet', 'no progress on stderr')
    .action(async (runUrl: string, options: { epoch: number; rank: number; out: string; fromStep?: number; variant: ShardVariant; quiet?: boolean }) => {
      let reported = 0;
      const onProgress = (done: number, total: number): void => {
        // One line per 256 MiB and at the end: enough to see it move, not a log flood.
        if (options.quiet || (done - reported < 256 * MIB && done < total)) return;
        reported = done;
        process.stderr.write(`pulled ${(done / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB\n`);
      };
      const result = await pullShard({
        run: openStore(runUrl),
        epoch: options.epoch,
        rank: options.rank,
        variant: options.variant,
        out: options.out,
        onProgress,
        ...(options.fromStep === undefined ? {} : { fromStep: options.fromStep }),
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
