/**
 * docs/training.md, step by step, on the same kind of files: what the Python example does with
 * pyarrow alone is done here in Node with an independent Arrow reader (apache-arrow's
 * RecordBatchFileReader stands in for `pa.ipc.open_file`), next to megashard's own openShard.
 * Each `it` is one section of the document.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader, type RecordBatch, type RecordBatchFileReader, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardMicroBatch } from '../../lib/arrow/shard-read.js';
import { openShard } from '../../lib/shard/index.js';
import { writePipelineShardRun } from '../helpers/pipeline-shard-run.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const EPOCH = 1;
const RANK = 2;
const IMAGE_TOKEN_INDEX = -200;
const IGNORE_INDEX = -100;

let tmp: string;
let run: string;
let path: string;
let steps: number;
let resumeStep: number;

beforeAll(async () => {
  tmp = await makeTempDir('training');
  // The files the pipeline writes: a LLaVA-SFT-shaped corpus with images, tokenized with its chat template.
  const built = await writePipelineShardRun(tmp, { samples: 400, spec: { epochs: 2, worldSize: 4, perDeviceBatchSize: 3, gradientAccumulation: 2 } });
  run = built.run;
  steps = built.epochs[EPOCH]!.stepsPerRank;
  resumeStep = Math.floor(steps / 2);
  path = join(tmp, 'local', `epoch-${EPOCH}`, `rank-${RANK}.arrow`);
}, 180_000);
afterAll(() => removeTempDir(tmp));

/** `json.load(open(".../shards/epoch-0001/manifest.json"))` and the entry of this rank. */
async function manifestEntry(): Promise<{ bytes: number; sha256: string; steps: number; firstStep: number }> {
  const manifest = JSON.parse(await readFile(join(run, 'shards', 'epoch-0001', 'manifest.json'), 'utf8')) as {
    files: Array<{ rank: number; variant: string; bytes: number; sha256: string; steps: number; firstStep: number }>;
  };
  return manifest.files.find((file) => file.rank === RANK && file.variant === 'tokens')!;
}

/** `pa.ipc.open_file(pa.memory_map(path))`. */
async function openFile(): Promise<RecordBatchFileReader> {
  const reader = RecordBatchReader.from(new Uint8Array(await readFile(path)));
  if (!reader.isFile() || !reader.isSync()) throw new Error(`${path} is not an Arrow IPC file`);
  return reader.open();
}

/** Row p of a List<Int32> column: `values[offsets[p]:offsets[p+1]]`. */
function listRow(column: Vector, p: number): number[] {
  return Array.from(column.get(p) as Iterable<number>);
}

/** The micro-batch in the shape the Python example builds (per-row lists), from a pyarrow-style batch. */
function samplesOf(batch: RecordBatch): Array<{
  sampleId: number;
  inputIds: number[];
  labels: number[];
  images: string[];
  imageTokens: number[];
  totalTokens: number;
  trainableTokens: number;
  isPadding: boolean;
}> {
  const column = (name: string) => batch.getChild(name)!;
  return Array.from({ length: batch.numRows }, (_, p) => ({
    sampleId: column('sample_id').get(p) as number,
    inputIds: listRow(column('input_ids'), p),
    labels: listRow(column('labels'), p),
    images: Array.from(column('images').get(p) as Iterable<string>),
    imageTokens: listRow(column('image_tokens'), p),
    totalTokens: column('total_tokens').get(p) as number,
    trainableTokens: column('trainable_tokens').get(p) as number,
    isPadding: column('is_padding').get(p) as boolean,
  }));
}

/** The same rows from megashard's openShard micro-batch (flat arrays + offsets). */
function samplesOfMicroBatch(batch: ShardMicroBatch) {
  const slice = (list: { offsets: Int32Array; values: Int32Array }, p: number) => [...list.values.subarray(list.offsets[p], list.offsets[p + 1])];
  const decoder = new TextDecoder();
  return Array.from(batch.sampleIds, (sampleId, p) => {
    const images = batch.images!;
    const names = [];
    for (let i = images.offsets[p]!; i < images.offsets[p + 1]!; i++) {
      names.push(decoder.decode(images.values.bytes.subarray(images.values.offsets[i], images.values.offsets[i + 1])));
    }
    return {
      sampleId,
      inputIds: slice(batch.inputIds!, p),
      labels: slice(batch.labels!, p),
      images: names,
      imageTokens: slice(batch.imageTokens!, p),
      totalTokens: batch.totalTokens[p]!,
      trainableTokens: batch.trainableTokens[p]!,
      isPadding: batch.isPadding[p] === 1,
    };
  });
}

describe('docs/training.md, each step', () => {
  it('1. pulls the rank’s shard for the epoch (megashard pull)', async () => {
    const pulled = await runCli(['pull', run, '--epoch', String(EPOCH), '--rank', String(RANK), '--out', path, '--quiet']);
    expect([pulled.code, pulled.stderr]).toEqual([0, '']);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ out: path, steps, epoch: EPOCH, rank: RANK });
    expect(steps).toBeGreaterThan(10);
  });

  it('2. checks the file against the manifest: size and sha256, hashed in 8 MiB blocks', async () => {
    const entry = await manifestEntry();
    const hash = createHash('sha256');
    for await (const block of createReadStream(path, { highWaterMark: 8 << 20 })) hash.update(block as Buffer);
    expect((await readFile(path)).length).toBe(entry.bytes);
    expect(hash.digest('hex')).toBe(entry.sha256);
  });

  it('3. opens it as an Arrow IPC file: one record batch per step, the metadata names epoch, rank and first step', async () => {
    const reader = await openFile();
    const meta = Object.fromEntries(reader.schema.metadata);
    const entry = await manifestEntry();
    expect(reader.numRecordBatches).toBe(entry.steps);
    expect(meta).toMatchObject({
      'megashard.kind': 'shard',
      'megashard.epoch': String(EPOCH),
      'megashard.rank': String(RANK),
      'megashard.world_size': '4',
      'megashard.first_step': String(entry.firstStep),
      'megashard.steps': String(entry.steps),
      'megashard.micro_batch_size': '3',
      'megashard.gradient_accumulation': '2',
    });
  });

  it('4. get_batch(k) is the micro-batch of step first_step + k, the same rows openShard yields', async () => {
    const reader = await openFile();
    const viaOpenShard: ShardMicroBatch[] = [];
    for await (const batch of openShard(run, { epoch: EPOCH, rank: RANK })) viaOpenShard.push(batch);
    expect(viaOpenShard).toHaveLength(reader.numRecordBatches);
    for (let k = 0; k < reader.numRecordBatches; k++) {
      expect(samplesOf(reader.readRecordBatch(k)!)).toEqual(samplesOfMicroBatch(viaOpenShard[k]!));
    }
  });

  it('5. expands each -200 sentinel into image_tokens[i] positions labelled -100: the length is total_tokens', async () => {
    const reader = await openFile();
    let images = 0;
    for (let k = 0; k < reader.numRecordBatches; k++) {
      for (const sample of samplesOf(reader.readRecordBatch(k)!)) {
        const sentinels = sample.inputIds.flatMap((id, t) => (id === IMAGE_TOKEN_INDEX ? [t] : []));
        expect(sentinels).toHaveLength(sample.images.length);
        expect(sample.imageTokens).toHaveLength(sample.images.length);
        expect(sample.labels).toHaveLength(sample.inputIds.length);
        // The image sits in the prompt, which carries no loss.
        for (const t of sentinels) expect(sample.labels[t]).toBe(IGNORE_INDEX);
        const expandedIds: number[] = [];
        const expandedLabels: number[] = [];
        let image = 0;
        sample.inputIds.forEach((id, t) => {
          const width = id === IMAGE_TOKEN_INDEX ? sample.imageTokens[image++]! : 1;
          for (let v = 0; v < width; v++) {
            expandedIds.push(id);
            expandedLabels.push(id === IMAGE_TOKEN_INDEX ? IGNORE_INDEX : sample.labels[t]!);
          }
        });
        expect(expandedIds).toHaveLength(sample.totalTokens);
        expect(expandedLabels.filter((label) => label !== IGNORE_INDEX).length).toBe(sample.trainableTokens);
        images += sample.images.length;
      }
    }
    expect(images).toBeGreaterThan(0);
  });

  it('6. resumes at step k: get_batch(k - first_step) onwards equals the tail, in pyarrow and in openShard', async () => {
    const reader = await openFile();
    const { firstStep } = await manifestEntry();
    const full = Array.from({ length: reader.numRecordBatches }, (_, k) => samplesOf(reader.readRecordBatch(k)!));
    const resumed = [];
    for (let k = resumeStep - firstStep; k < reader.numRecordBatches; k++) resumed.push(samplesOf(reader.readRecordBatch(k)!));
    expect(resumed).toEqual(full.slice(resumeStep));
    const viaOpenShard = [];
    for await (const batch of openShard(run, { epoch: EPOCH, rank: RANK, fromStep: resumeStep })) viaOpenShard.push(samplesOfMicroBatch(batch));
    expect(viaOpenShard).toEqual(resumed);
  });

  it('7. pulling again on resume costs a local hash and no download', async () => {
    const again = await runCli(['pull', run, '--epoch', String(EPOCH), '--rank', String(RANK), '--from-step', String(resumeStep), '--out', path, '--quiet']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyComplete: true, fetchedBytes: 0, fromStep: resumeStep, fromRecordBatch: resumeStep });
  });
});

/**
 * docs/training.md, "Packed shards": a packed plan's shards consumed as flash-attn's varlen kernel
 * and transformers' padding-free path take them, each numbered step of that section.
 */
describe('docs/training.md, packed shards', () => {
  const MAX_TOKENS = 2048;
  let packedRun: string;
  let packedPath: string;

  beforeAll(async () => {
    const built = await writePipelineShardRun(join(tmp, 'packed'), {
      samples: 200,
      spec: { epochs: 1, worldSize: 2, packing: { strategy: 'balanced-pack', maxTokens: MAX_TOKENS } },
    });
    packedRun = built.run;
    packedPath = join(packedRun, 'shards', 'epoch-0000', 'rank-00001.arrow');
  }, 180_000);

  /** `pa.ipc.open_file(pa.memory_map(path))` of the packed shard. */
  async function openPacked(): Promise<RecordBatchFileReader> {
    const reader = RecordBatchReader.from(new Uint8Array(await readFile(packedPath)));
    if (!reader.isFile() || !reader.isSync()) throw new Error(`${packedPath} is not an Arrow IPC file`);
    return reader.open();
  }

  /** `column.values` / `column.offsets` of a list<int32> column of a batch (the flattened pack). */
  function flat(batch: RecordBatch, name: string): { values: number[]; offsets: number[] } {
    const column = batch.getChild(name)!;
    const rows = Array.from({ length: batch.numRows }, (_, p) => listRow(column, p));
    const offsets = [0];
    for (const row of rows) offsets.push(offsets.at(-1)! + row.length);
    return { values: rows.flat(), offsets };
  }

  /** What `varlen_inputs(batch)` returns in docs/training.md, one entry per pack of the step. */
  function varlenInputs(batch: RecordBatch) {
    const pack = Array.from(batch.getChild('pack')!.toArray() as Int32Array);
    const total = Array.from(batch.getChild('total_tokens')!.toArray() as Int32Array);
    const ids = flat(batch, 'input_ids');
    const labels = flat(batch, 'labels');
    const positions = flat(batch, 'position_ids');
    const imageTokens = flat(batch, 'image_tokens');
    const packs = [];
    for (let start = 0; start < pack.length; ) {
      let end = start + 1;
      while (end < pack.length && pack[end] === pack[start]) end++;
      const cu = [0];
      for (let p = start; p < end; p++) cu.push(cu.at(-1)! + total[p]!);
      const [from, to] = [ids.offsets[start]!, ids.offsets[end]!];
      packs.push({
        inputIds: ids.values.slice(from, to),
        labels: labels.values.slice(from, to),
        positionIds: positions.values.slice(from, to),
        imageTokens: imageTokens.values.slice(imageTokens.offsets[start]!, imageTokens.offsets[end]!),
        cuSeqlens: cu,
        maxSeqlen: Math.max(...total.slice(start, end)),
        samples: end - start,
      });
      start = end;
    }
    return packs;
  }

  /** The model's sentinel expansion: sentinel i becomes image_tokens[i] positions p … p + k − 1, labelled −100. */
  function expand(pack: ReturnType<typeof varlenInputs>[number]) {
    const positions: number[] = [];
    const labels: number[] = [];
    let image = 0;
    pack.inputIds.forEach((id, t) => {
      const width = id === IMAGE_TOKEN_INDEX ? pack.imageTokens[image++]! : 1;
      for (let v = 0; v < width; v++) {
        positions.push(pack.positionIds[t]! + v);
        labels.push(id === IMAGE_TOKEN_INDEX ? IGNORE_INDEX : pack.labels[t]!);
      }
    });
    return { positions, labels };
  }

  it('P1. opens a packed shard: format 2, megashard.packing, a pack column and position_ids', async () => {
    const reader = await openPacked();
    const meta = Object.fromEntries(reader.schema.metadata);
    expect(meta['megashard.format_version']).toBe('2');
    expect(JSON.parse(meta['megashard.packing']!)).toMatchObject({ maxTokens: MAX_TOKENS, overLength: 'own-pack' });
    expect(reader.schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['pack', 'position_ids']));
    expect(reader.numRecordBatches).toBeGreaterThan(3);
  });

  it('P2. cu_seqlens and max_seqlen of step k in five lines: get_batch(k − first_step), running sum and max of total_tokens', async () => {
    const reader = await openPacked();
    const firstStep = Number(Object.fromEntries(reader.schema.metadata)['megashard.first_step']);
    const manifest = JSON.parse(await readFile(join(packedRun, 'shards', 'epoch-0000', 'manifest.json'), 'utf8')) as {
      files: Array<{ rank: number; variant: string; firstStep: number }>;
    };
    expect(firstStep).toBe(manifest.files.find((f) => f.rank === 1 && f.variant === 'tokens')!.firstStep);
    for (let step = firstStep; step < firstStep + reader.numRecordBatches; step++) {
      // The short snippet, line for line.
      const batch = reader.readRecordBatch(step - firstStep)!;
      const lengths = Int32Array.from(batch.getChild('total_tokens')!.toArray() as Int32Array);
      const cuSeqlens = new Int32Array(lengths.length + 1);
      lengths.forEach((length, i) => (cuSeqlens[i + 1] = cuSeqlens[i]! + length));
      const maxSeqlen = Math.max(...lengths);
      // What it must equal: the pack of varlen_inputs, and the sample boundaries of the expanded pack.
      const [pack] = varlenInputs(batch);
      expect(Array.from(cuSeqlens)).toEqual(pack!.cuSeqlens);
      expect(maxSeqlen).toBe(pack!.maxSeqlen);
      const { positions } = expand(pack!);
      expect(cuSeqlens.at(-1)).toBe(positions.length);
      expect(positions.flatMap((position, t) => (position === 0 ? [t] : []))).toEqual(Array.from(cuSeqlens.subarray(0, -1)));
    }
  });

  it('P2. flash-attn varlen: one pack per step, cu_seqlens from total_tokens, within the budget', async () => {
    const reader = await openPacked();
    let multiSample = 0;
    for (let k = 0; k < reader.numRecordBatches; k++) {
      const packs = varlenInputs(reader.readRecordBatch(k)!);
      expect(packs).toHaveLength(1); // balanced-pack@1: micro-batch 1, one pack per rank per step
      for (const pack of packs) {
        const { positions } = expand(pack);
        expect(pack.cuSeqlens.at(-1)).toBe(positions.length); // the expanded pack is cu_seqlens[-1] tokens long
        if (pack.samples > 1) expect(pack.cuSeqlens.at(-1)!).toBeLessThanOrEqual(MAX_TOKENS);
        expect(pack.maxSeqlen).toBe(Math.max(...pack.cuSeqlens.slice(1).map((c, i) => c - pack.cuSeqlens[i]!)));
        if (pack.samples > 1) multiSample++;
      }
    }
    expect(multiSample).toBeGreaterThan(0);
  });

  it('P3. padding-free (position_ids): expanded positions restart exactly at cu_seqlens, boundary labels are -100', async () => {
    const reader = await openPacked();
    for (let k = 0; k < reader.numRecordBatches; k++) {
      for (const pack of varlenInputs(reader.readRecordBatch(k)!)) {
        const { positions, labels } = expand(pack);
        const starts = positions.flatMap((position, t) => (position === 0 ? [t] : []));
        expect(starts).toEqual(pack.cuSeqlens.slice(0, -1));
        for (const start of starts.slice(1)) expect(labels[start]).toBe(IGNORE_INDEX);
      }
    }
  });

  it('P4. resumes at step k of a packed shard: get_batch(k) and openShard give the same packs', async () => {
    const reader = await openPacked();
    const k = Math.floor(reader.numRecordBatches / 2);
    const viaOpenShard: ShardMicroBatch[] = [];
    for await (const batch of openShard(packedRun, { epoch: 0, rank: 1, fromStep: k })) viaOpenShard.push(batch);
    expect(viaOpenShard).toHaveLength(reader.numRecordBatches - k);
    const batch = reader.readRecordBatch(k)!;
    expect(Array.from(viaOpenShard[0]!.pack!)).toEqual(Array.from(batch.getChild('pack')!.toArray() as Int32Array));
    expect(Array.from(viaOpenShard[0]!.positionIds!.values)).toEqual(flat(batch, 'position_ids').values);
  });
});
