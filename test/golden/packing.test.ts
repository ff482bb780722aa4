import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayPackingGolden } from '../../lib/core/packing/replay-packing-golden.js';
import { numpyArgsort } from '../../lib/core/packing/numpy-argsort.js';
import { xtunerProxyFlops, type ImageTokenLists } from '../../lib/core/packing/xtuner-proxy-flops.js';
import { xtunerSoftPack } from '../../lib/core/packing/xtuner-soft-pack.js';
import { xtunerHardPack } from '../../lib/core/packing/xtuner-hard-pack.js';
import { xtunerPackSampler } from '../../lib/core/packing/xtuner-pack-sampler.js';
import { packCount, packMembers, type PackList } from '../../lib/core/packing/pack-list.js';

// Golden vectors live outside the project (../shared/golden/packing/); never copied into the repo.
const goldenDir = new URL('../../../shared/golden/packing/', import.meta.url);
const names = readdirSync(fileURLToPath(goldenDir))
  .filter((name) => name.endsWith('.json'))
  .sort();
const read = (name: string): any => JSON.parse(readFileSync(new URL(name, goldenDir), 'utf8'));
const softFiles = names.filter((name) => name.startsWith('soft-'));
const samplerFiles = names.filter((name) => name.startsWith('sampler-'));

/** The input fields of a golden file: expected outputs never reach the replay. */
function inputsOf(golden: any): Record<string, unknown> {
  const { kind, anchor, params, num_tokens, num_img_tokens, proxy_attn_flops, max_lengths } = golden;
  return { kind, anchor, params, num_tokens, num_img_tokens, proxy_attn_flops, max_lengths };
}

const listsOf = (list: PackList): number[][] => Array.from({ length: packCount(list) }, (_, k) => Array.from(packMembers(list, k)));

function imagesOf(golden: any): ImageTokenLists | null {
  if (!golden.num_img_tokens) return null;
  const lists = golden.num_img_tokens as number[][];
  const starts = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => (starts[i + 1] = starts[i]! + list.length));
  return { counts: Float64Array.from(lists.flat()), starts };
}

describe('golden XTuner V1 packing vectors (numpy 1.24.2, torch 1.13)', () => {
  it('finds every kind of golden file', () => {
    expect(softFiles.length).toBeGreaterThanOrEqual(6);
    expect(samplerFiles.length).toBeGreaterThanOrEqual(6);
    expect(names).toContain('hard-g-default.json');
    expect(names).toContain('numpy-argsort.json');
  });

  it.each([...softFiles, 'hard-g-default.json', ...samplerFiles])('%s is replayed element for element', (name) => {
    const golden = read(name);
    const replay = replayPackingGolden(inputsOf(golden), name);
    if (golden.kind === 'sampler') {
      expect(replay).toEqual({ ranks: golden.ranks, global_order: golden.global_order });
    } else if (golden.anchor.entry === 'HardPackDataset') {
      expect(replay).toEqual({ packs: golden.packs, pack_longest: golden.pack_longest, start_offset: golden.start_offset, end_offset: golden.end_offset });
    } else {
      expect(replay).toEqual({ packs: golden.packs, pack_longest: golden.pack_longest });
    }
  });
});

describe('numpy 1.24 argsort (numpy-argsort.json)', () => {
  const golden = read('numpy-argsort.json');

  const cases = (golden.cases as Array<{ values: number[]; argsort: number[] }>).map((c, j) => ({ j, size: c.values.length, c }));
  it.each(cases)("case $j ($size values) has numpy's tie order", ({ c }) => {
    expect(Array.from(numpyArgsort(c.values))).toEqual(c.argsort);
  });

  it('differs from a stable sort on some case (the tie order is the point)', () => {
    const differing = golden.cases.filter((c: any) => JSON.stringify(Array.from(numpyArgsort(c.values))) !== JSON.stringify(c.argsort_stable));
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe.each(softFiles)('soft packing %s through the underlying functions', (name) => {
  const golden = read(name);
  const p = golden.params;
  const numTokens = Int32Array.from(golden.num_tokens);
  const weights = { llmPackWeight: p.llm_pack_weight, visualPackWeight: p.visual_pack_weight, flashAttnBlockSize: p.flash_attn_block_size };
  const flops = xtunerProxyFlops(numTokens, imagesOf(golden), weights);
  const list = xtunerSoftPack(numTokens, flops, {
    packMaxLength: p.pack_max_length,
    globalPack: p.global_pack,
    extraBufferSize: p.pack_extra_buffer_size,
    chunkSize: p.pack_chunk_size,
    seed: BigInt(p.seed),
    datasetSizes: p.dataset_sizes,
  });

  it("proxy flops equal XTuner's, bit for bit", () => {
    expect(Array.from(flops)).toEqual(golden.proxy_attn_flops);
  });

  it("packs, longest keys and dataset ids equal XTuner's", () => {
    expect(listsOf(list)).toEqual(golden.packs);
    expect(Array.from(list.packLongest)).toEqual(golden.pack_longest);
    expect(Array.from(list.packDatasetId)).toEqual(golden.pack_dataset_id);
  });

  it("pack token totals and over-length singletons agree with the file's observations", () => {
    const offsets = [0];
    for (const size of p.dataset_sizes as number[]) offsets.push(offsets[offsets.length - 1]! + size);
    const totals = listsOf(list).map((members, k) => {
      const base = p.global_pack ? 0 : offsets[list.packDatasetId[k]!]!;
      return members.reduce((sum, i) => sum + numTokens[base + i]!, 0);
    });
    expect(totals).toEqual(golden.pack_num_tokens);
    const over = totals.flatMap((total, k) => (total > p.pack_max_length ? [k] : []));
    expect(over).toEqual(golden.observed.overlength_singleton_packs);
    for (const k of over) expect(packMembers(list, k).length).toBe(1);
  });
});

describe('hard packing hard-g-default.json through the underlying function', () => {
  const golden = read('hard-g-default.json');
  const p = golden.params;
  const list = xtunerHardPack(Int32Array.from(golden.num_tokens), {
    packMaxLength: p.pack_max_length,
    globalPack: p.global_pack,
    seed: BigInt(p.seed),
    datasetSizes: p.dataset_sizes,
  });

  it("packs, offsets, longest pieces and dataset ids equal XTuner's", () => {
    expect(listsOf(list)).toEqual(golden.packs);
    expect(Array.from(list.startOffset)).toEqual(golden.start_offset);
    expect(Array.from(list.endOffset)).toEqual(golden.end_offset);
    expect(Array.from(list.packLongest)).toEqual(golden.pack_longest);
    expect(Array.from(list.packDatasetId)).toEqual(golden.pack_dataset_id);
  });

  it("every pack covers exactly pack_max_length tokens, and the unpacked tail is the file's", () => {
    const lists = listsOf(list);
    lists.forEach((members, k) => {
      const whole = members.reduce((sum, i) => sum + golden.num_tokens[i], 0);
      const last = golden.num_tokens[members[members.length - 1]!];
      expect(whole - list.startOffset[k]! - (last - list.endOffset[k]!)).toBe(p.pack_max_length);
    });
    const packed = new Set(lists.flat());
    const never = golden.num_tokens.map((_: number, i: number) => i).filter((i: number) => !packed.has(i));
    expect(never.sort((a: number, b: number) => a - b)).toEqual([...golden.observed.samples_never_packed].sort((a, b) => a - b));
  });
});

describe.each(samplerFiles)('pack sampler %s through the underlying function', (name) => {
  const golden = read(name);
  const p = golden.params;
  const out = xtunerPackSampler(golden.max_lengths, {
    worldSize: p.world_size,
    globalBatchSize: p.global_batch_size,
    seed: BigInt(p.seed),
    epoch: p.epoch,
    roundUp: p.round_up,
    step: p.step,
  });

  it("derives XTuner's sizes", () => {
    const d = p.derived;
    expect(out.sizes).toEqual({
      megaBatchMult: d.mega_batch_mult,
      groupBatchSize: d.group_batch_size,
      groupSize: d.group_size,
      numSamples: d.num_samples,
      totalSize: d.total_size,
    });
  });

  it("global order and every rank's list equal XTuner's", () => {
    expect(Array.from(out.globalOrder)).toEqual(golden.global_order);
    const ranks = golden.ranks.map((_: unknown, r: number) => Array.from(out.sampleIds.subarray(out.rankStarts[r], out.rankStarts[r + 1])));
    expect(ranks).toEqual(golden.ranks);
  });

  it("its max_lengths are the source case's pack_longest", () => {
    expect(golden.max_lengths).toEqual(read(`${golden.source_case}.json`).pack_longest);
  });
});
