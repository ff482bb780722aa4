import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { tokenizeDatasetLocally } from '../../run/tokenize/tokenize-dataset-locally.js';
import { intOption } from '../parse-int-option.js';

/** `megashard tokenize <dataset-dir> --out <dir>`: tokenize a dataset locally on all cores. */
export function registerTokenizeCommand(program: Command): void {
  program
    .command('tokenize')
    .description(
      'Tokenize a dataset folder (dataset.json + its sources) on all cores: per record-aligned chunk, an Arrow tokens ' +
        'file, a length-index part and a rejects file (JSONL: source, byte offset, record id, reason); tokenize.json last.',
    )
    .argument('<dataset-dir>', 'folder holding dataset.json')
    .requiredOption('--out <dir>', 'output folder')
    .option('--workers <N>', 'worker threads (default: every core); outputs do not depend on it', intOption('--workers'), availableParallelism())
    .action(async (datasetDir: string, options: { out: string; workers: number }) => {
      const started = Date.now();
      const onChunk = (done: number, total: number) => process.stderr.write(`tokenized chunk ${done}/${total}\n`);
      const manifest = await tokenizeDatasetLocally({ datasetLocation: datasetDir, outLocation: options.out, workers: options.workers, onChunk });
      const { samples, rejects, tokens, chunks } = manifest;
      process.stdout.write(
        `${JSON.stringify({ out: options.out, samples, rejects, tokens, chunks: chunks.length, seconds: (Date.now() - started) / 1000 })}\n`,
      );
    });
}
