import { performance } from 'node:perf_hooks';
import { Mt19937 } from '../core/rng/mt19937.js';
import { pretrainRecord, sftRecord, type TextSource } from '../core/synth/corpus-records.js';
import { resolveDatasetConfig } from '../core/dataset/dataset-config.js';
import { MemoryObjectStore } from '../io/memory-store.js';
import { encodeSyntheticJpeg } from '../core/images/synthetic-images.js';
import { joinKey } from '../io/object-store.js';
import { loadBrownSentences } from '../synth/brown-corpus.js';
import { loadDatasetTokenizer } from '../run/load-dataset-tokenizer.js';
import { planDatasetChunks } from '../run/prepare/plan-dataset-chunks.js';
import { createChunkTokenizer, tokenizeChunk } from '../run/tokenize/tokenize-chunk.js';

/** Options of `megashard bench tokenize`. */
export interface BenchTokenizeOptions {
  readonly kind: 'llava-pretrain' | 'llava-sft';
  readonly samples: number;
  readonly seed: number;
  readonly repeats: number;
}

/** Figures of one benchmark: ingest vs raw encodeBatch of the same texts, medians over repeats. */
export interface BenchTokenizeResult {
  readonly kind: string;
  readonly samples: number;
  readonly corpusMb: number;
  readonly textMb: number;
  readonly rawSeconds: number;
  readonly ingestSeconds: number;
  readonly ingestMbPerSecond: number;
  readonly ingestTokensPerSecond: number;
  /** rawSeconds / ingestSeconds: above 1, ingest beats encoding the bare texts. */
  readonly ratio: number;
  /**
   * Process CPU seconds (all threads: JS, the engine's pool, GC) of each, and their ratio: on a
   * shared machine wall time swings with other jobs, CPU time much less.
   */
  readonly rawCpuSeconds: number;
  readonly ingestCpuSeconds: number;
  readonly cpuRatio: number;
}

/** Wall and process CPU seconds of one run of `work`. */
async function timed(work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const DATASETS = {
  'llava-pretrain': { record: pretrainRecord, template: { name: 'plain' }, stage: 'pretrain' },
  'llava-sft': { record: sftRecord, template: { name: 'vicuna_v1' }, stage: 'finetune' },
} as const;

/**
 * Ingest (read chunk → parse → check images → template → tokenize → Arrow write) of a synthetic
 * LLaVA corpus held in memory, against the same tokenizer's raw `encodeBatch` of every turn text,
 * interleaved in one process so machine noise hits both; LLaMA-2 (LLaVA-1.5's) tokenizer.
 */
export async function benchTokenize(options: BenchTokenizeOptions): Promise<BenchTokenizeResult> {
  const plan = DATASETS[options.kind];
  const source: TextSource = { sentences: await loadBrownSentences(), rng: Mt19937.fromKey([options.seed >>> 0, 0x62656e31]) };
  const records = Array.from({ length: options.samples }, (_, i) => plan.record(i, source));
  const store = new MemoryObjectStore();
  const corpus = `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
  await store.put('corpus.json', corpus);
  // A real (tiny) JPEG per reference: the default image check reads each header, as a run does.
  const jpeg = encodeSyntheticJpeg(32, 24, options.seed >>> 0);
  for (const record of records) if (typeof record.image === 'string') await store.put(joinKey('images', record.image), jpeg);
  const { config } = resolveDatasetConfig({
    name: 'bench',
    sources: [{ path: 'corpus.json', format: 'llava' }],
    tokenizer: { npm: 'llama2' },
    template: plan.template,
    stage: plan.stage,
    chunkBytes: 8 * 1024 * 1024,
    shard: { seed: 0, worldSize: 1, perDeviceBatchSize: 1 },
  });
  const tokenizer = await loadDatasetTokenizer(store, config);
  const texts = records.flatMap((r) => (r.conversations as Array<{ value: string }>).map((turn) => turn.value.replace('<image>', '')));
  const raw: Array<{ wall: number; cpu: number }> = [];
  const ingest: Array<{ wall: number; cpu: number }> = [];
  let tokens = 0;
  for (let k = 0; k < options.repeats; k++) {
    raw.push(
      await timed(async () => {
        for (let i = 0; i < texts.length; i += 4096) await tokenizer.encodeBatch(texts.slice(i, i + 4096));
      }),
    );
    ingest.push(
      await timed(async () => {
        const bound = await createChunkTokenizer(config, tokenizer);
        const out = new MemoryObjectStore();
        tokens = 0;
        for (const task of await planDatasetChunks(store, config))
          tokens += (await tokenizeChunk(task, { store, config }, bound, { store: out, prefix: '' })).tokens;
      }),
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const corpusMb = Buffer.byteLength(corpus) / 1e6;
  const ingestSeconds = median(ingest.map((run) => run.wall));
  const rawSeconds = median(raw.map((run) => run.wall));
  const [rawCpu, ingestCpu] = [median(raw.map((run) => run.cpu)), median(ingest.map((run) => run.cpu))];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    kind: options.kind,
    samples: options.samples,
    corpusMb: round(corpusMb),
    textMb: round(texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / 1e6),
    rawSeconds: round(rawSeconds),
    ingestSeconds: round(ingestSeconds),
    ingestMbPerSecond: round(corpusMb / ingestSeconds),
    ingestTokensPerSecond: Math.round(tokens / ingestSeconds),
    ratio: round(rawSeconds / ingestSeconds),
    rawCpuSeconds: round(rawCpu),
    ingestCpuSeconds: round(ingestCpu),
    cpuRatio: round(rawCpu / ingestCpu),
  };
}
