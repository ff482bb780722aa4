import { join } from 'node:path';
import { rename, writeFile } from 'node:fs/promises';
import { Mt19937 } from '../core/rng/mt19937.js';
import { mmc4Record, pretrainRecord, sftRecord, type TextSource } from '../core/synth/corpus-records.js';
import { resolveDatasetConfig } from '../core/dataset/dataset-config.js';
import { loadBrownSentences } from './brown-corpus.js';
import { writeRecords, type RecordLayout } from './write-records.js';
import { writeImagePool } from './image-pool.js';

/** The corpus shapes `megashard synth` writes. */
export const SYNTH_KINDS = ['llava-pretrain', 'llava-sft', 'interleaved'] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];

/** What to synthesize. */
export interface SynthOptions {
  readonly kind: SynthKind;
  readonly samples: number;
  readonly seed: number;
  readonly outDir: string;
  /**
   * Write a real JPEG for every image reference (the default of `megashard synth`). Without images
   * dataset.json says `"imageCheck": "none"`, so the dataset still runs as written: references
   * are validated, the images are not looked for.
   */
  readonly images: boolean;
}

interface KindPlan {
  readonly file: string;
  readonly layout: RecordLayout;
  readonly record: (index: number, source: TextSource) => Record<string, unknown>;
  readonly dataset: Record<string, unknown>;
}

/** Per kind: the real file name and layout, and the tokenizer/template the upstream recipe uses. */
const KINDS: Record<SynthKind, KindPlan> = {
  'llava-pretrain': {
    file: 'data/blip_laion_cc_sbu_558k.json',
    layout: 'json-array',
    record: pretrainRecord,
    dataset: { tokenizer: { npm: 'llama2' }, template: { name: 'plain' }, stage: 'pretrain' },
  },
  'llava-sft': {
    file: 'data/llava_v1_5_mix665k.json',
    layout: 'json-array',
    record: sftRecord,
    // legacy: false is Vicuna-7B-v1.5's tokenizer flag: LLaVA-1.5's exact ids (docs/tokenizers.md).
    dataset: { tokenizer: { npm: 'llama2' }, template: { name: 'vicuna_v1', legacy: false }, stage: 'finetune' },
  },
  interleaved: {
    file: 'data/mmc4_core_docs.jsonl',
    layout: 'jsonl',
    record: mmc4Record,
    // Documents are rendered as plain text (BOS, text, images, EOS) whatever the chat template.
    dataset: {
      tokenizer: { npm: 'llama3' },
      template: { name: 'llama3', templateInPretraining: true },
      stage: 'pretrain',
      maxLength: 4096,
      overLength: 'split',
    },
  },
};

/**
 * Write a ready-to-run synthetic dataset: the corpus in its real format (text from the Brown
 * Corpus), a validated `dataset.json`, and with `images` a real JPEG per image reference (without,
 * a dataset.json whose images are not checked: every kind uses the fixed image-token rule).
 */
export async function synthDataset(options: SynthOptions): Promise<{ corpusBytes: number; images: number; datasetJson: string }> {
  const plan = KINDS[options.kind];
  const source: TextSource = { sentences: await loadBrownSentences(), rng: Mt19937.fromKey([options.seed >>> 0, 0x73796e32]) };
  const imagePaths: string[] = [];
  const corpusBytes = await writeRecords(join(options.outDir, plan.file), plan.layout, options.samples, (index) => {
    const record = plan.record(index, source);
    if (options.images) imagePaths.push(...imagePathsOf(record));
    return record;
  });
  const dataset = {
    name: `synthetic-${options.kind}`,
    sources: [{ path: plan.file, format: options.kind === 'interleaved' ? 'mmc4' : 'llava' }],
    imageRoot: 'images',
    ...plan.dataset,
    ...(options.images ? {} : { imageCheck: 'none' }),
    shard: { strategy: 'balanced', seed: options.seed, epochs: 1, worldSize: 8, perDeviceBatchSize: 4 },
  };
  resolveDatasetConfig(dataset); // what we write must be what we accept
  const images = options.images ? await writeImagePool(join(options.outDir, 'images'), imagePaths, options.seed) : 0;
  // dataset.json last, written whole: its appearance is what starts a run (docs/architecture.md).
  const datasetJson = join(options.outDir, 'dataset.json');
  await writeFile(`${datasetJson}.partial`, `${JSON.stringify(dataset, null, 2)}\n`);
  await rename(`${datasetJson}.partial`, datasetJson);
  return { corpusBytes, images, datasetJson };
}

function imagePathsOf(record: Record<string, unknown>): string[] {
  if (typeof record.image === 'string') return [record.image];
  const info = record.image_info as Array<{ image_name: string }> | undefined;
  return info ? info.map((image) => image.image_name) : [];
}
