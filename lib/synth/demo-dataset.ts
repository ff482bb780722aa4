import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveDatasetConfig } from '../core/dataset/dataset-config.js';
import { Mt19937 } from '../core/rng/mt19937.js';
import { mmc4Record, sftRecord, type TextSource } from '../core/synth/corpus-records.js';
import { loadBrownSentences } from './brown-corpus.js';
import { writeImagePool } from './image-pool.js';
import { writeRecords } from './write-records.js';

/** Where the demo's two sources go, in their real formats. */
const CONVERSATIONS_FILE = 'data/llava_v1_5_mix665k.json';
const DOCUMENTS_FILE = 'data/mmc4_core_docs.jsonl';

/** What the demo dataset holds. */
export interface DemoDatasetOptions {
  readonly dir: string;
  /** LLaVA-1.5-SFT-shaped conversations (JSON array, ~6 % text-only). */
  readonly conversations: number;
  /** MMC4-shaped interleaved documents (JSONL, 1–6 images each). */
  readonly documents: number;
  readonly seed: number;
  /** The shard spec written into dataset.json. */
  readonly shard: Record<string, unknown>;
}

/**
 * Write the demo's dataset: both sources (text from the Brown Corpus), a real JPEG for every image
 * reference, and a `dataset.json` naming a real tokenizer (LLaMA-3, shipped by npm) with its chat
 * template, documents split at 4,096 tokens, and small chunks so the Map has several batches.
 * Same options → same bytes, so a second demo finds its run complete.
 */
export async function writeDemoDataset(options: DemoDatasetOptions): Promise<{ readonly datasetJson: string; readonly images: number }> {
  const source: TextSource = { sentences: await loadBrownSentences(), rng: Mt19937.fromKey([options.seed >>> 0, 0x64656d6f]) };
  const imagePaths: string[] = [];
  const collecting = (make: (index: number, source: TextSource) => Record<string, unknown>) => (index: number) => {
    const record = make(index, source);
    if (typeof record.image === 'string') imagePaths.push(record.image);
    for (const info of (record.image_info as Array<{ image_name: string }> | undefined) ?? []) imagePaths.push(info.image_name);
    return record;
  };
  await writeRecords(join(options.dir, CONVERSATIONS_FILE), 'json-array', options.conversations, collecting(sftRecord));
  await writeRecords(join(options.dir, DOCUMENTS_FILE), 'jsonl', options.documents, collecting(mmc4Record));
  const images = await writeImagePool(join(options.dir, 'images'), imagePaths, options.seed);
  const dataset = {
    name: 'megashard-demo',
    sources: [
      { path: CONVERSATIONS_FILE, format: 'llava' },
      { path: DOCUMENTS_FILE, format: 'mmc4' },
    ],
    imageRoot: 'images',
    tokenizer: { npm: 'llama3' },
    template: { name: 'llama3' },
    stage: 'finetune',
    maxLength: 4096,
    overLength: 'split',
    chunkBytes: 256 * 1024,
    shard: options.shard,
  };
  resolveDatasetConfig(dataset); // what we write must be what we accept
  // dataset.json last, written whole: on S3 its arrival is what starts a run.
  const datasetJson = join(options.dir, 'dataset.json');
  await writeFile(`${datasetJson}.partial`, `${JSON.stringify(dataset, null, 2)}\n`);
  await rename(`${datasetJson}.partial`, datasetJson);
  return { datasetJson, images };
}
